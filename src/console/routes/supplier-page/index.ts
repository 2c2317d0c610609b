import { status } from '@grpc/grpc-js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnswerPurchaseOrderResponse, OpenSupplierLinkResponse } from '../../../gen/restock/procurement/v1/procurement_service';
import { PurchaseOrderStatus, type PurchaseOrderLine } from '../../../gen/restock/procurement/v1/purchase_order';
import { apiError, type Api } from '../../api';
import { render } from '../../render';
import { dateIn, noonOf } from '../../zoned-dates';

/** Per address, per minute: enough for a supplier answering a long PO, not for guessing links. */
const PAGE_LIMIT = { rateLimit: { max: 30, timeWindow: '1 minute' } };
/** The refusals of a link, as HTTP: not ours (403), or ours but no longer working (410). */
const REFUSED: Record<string, { statusCode: number; title: string }> = {
  LINK_INVALID: { statusCode: 403, title: 'This link is not valid' },
  LINK_EXPIRED: { statusCode: 410, title: 'This link has expired' },
  LINK_REVOKED: { statusCode: 410, title: 'This link was replaced' },
};
const ANSWERABLE = [
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED,
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT,
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED,
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_PARTIALLY_RECEIVED,
];

interface Params {
  token: string;
}

/** What the form shows for one line: the values to fill in (as typed, after a refused post) and its error. */
interface LineForm {
  line: PurchaseOrderLine;
  /** Units can still be confirmed, declined or moved (not everything ordered has arrived). */
  open: boolean;
  quantity: string;
  date: string;
  declined: boolean;
  error?: string;
}

/** The form of a PO as the supplier last answered it (or as ordered, before any answer). */
function formOf(page: OpenSupplierLinkResponse): LineForm[] {
  const po = page.purchaseOrder!;
  const answered = po.status !== PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED && po.status !== PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT;
  return po.lines.map((line) => ({
    line,
    open: line.receivedQuantity < line.quantity,
    quantity: String(answered ? line.confirmedQuantity : line.quantity),
    date: dateIn(line.promisedTime ?? po.requestedDeliveryTime, page.timeZone),
    declined: answered && line.confirmedQuantity === 0,
  }));
}

/** The form as posted, each open line checked for a whole number of units and, unless declined, a delivery day. */
function postedForm(page: OpenSupplierLinkResponse, body: Record<string, string | undefined>): LineForm[] {
  return formOf(page).map((form, i) => {
    if (!form.open) return form;
    const declined = body[`decline_${i}`] === 'yes';
    const quantity = (body[`quantity_${i}`] ?? '').trim();
    const date = (body[`date_${i}`] ?? '').trim();
    const posted = { ...form, quantity: declined ? '0' : quantity, date, declined };
    if (declined) return posted;
    if (!/^\d{1,7}$/.test(quantity)) return { ...posted, error: `Enter the units you will deliver, a whole number from 0 to ${form.line.quantity}.` };
    if (Number(quantity) > 0 && !noonOf(date, page.timeZone)) return { ...posted, error: 'Pick the day these units will be delivered.' };
    return posted;
  });
}

/** The supplier's page of a PO, reached by the signed link in the PO email: no account, no session. */
export default async function supplierPageRoutes(app: FastifyInstance, options: { api: Api }) {
  const { api } = options;

  app.setErrorHandler(async (error, request, reply) => {
    const statusCode = (error as { statusCode?: number }).statusCode ?? 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'supplier page failed');
    const message = statusCode === 403
      ? 'This form has expired or did not come from this page. Open the link in your email again and resend your answer.'
      : statusCode === 429 ? 'Too many requests from your address. Wait a minute and try again.'
        : statusCode < 500 ? (error as Error).message : 'Something went wrong on our side; it has been logged. Please try again later or contact the buyer.';
    return reply.code(statusCode).view('supplier-refusal.eta', { title: statusCode === 429 ? 'Please wait a minute' : `Error ${statusCode}`, person: null, message });
  });
  // never kept by a browser or proxy: the PO and a form token now, a refusal (a 410 is cacheable by default) later
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  // every form posts with a CSRF token, its secret in a signed cookie (there is no session to keep it in)
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    await new Promise<void>((resolve, reject) => app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve())));
  });

  app.get<{ Params: Params }>('/supplier/purchase-orders/:token', { config: PAGE_LIMIT }, async (request, reply) => {
    const page = await openLink(api, request.params.token, reply);
    if (!page) return reply;
    return show(request, reply, page, formOf(page));
  });

  app.post<{ Params: Params; Body: Record<string, string | undefined> }>('/supplier/purchase-orders/:token', { config: PAGE_LIMIT }, async (request, reply) => {
    const { token } = request.params;
    const page = await openLink(api, token, reply);
    if (!page) return reply;
    const body = request.body ?? {};
    const forms = postedForm(page, body);
    const note = (body.note ?? '').trim();
    if (forms.some((f) => f.error) || note.length > 500) {
      reply.code(400);
      return show(request, reply, page, forms, { note, noteError: note.length > 500 ? 'Keep the note to 500 characters.' : undefined });
    }
    let answered: AnswerPurchaseOrderResponse;
    try {
      answered = await api.procurement.answerPurchaseOrder({
        link: token,
        lines: forms.filter((f) => f.open).map((f) => ({ sku: f.line.sku, confirmedQuantity: Number(f.quantity), promisedTime: f.declined || f.quantity === '0' ? undefined : noonOf(f.date, page.timeZone) })),
        note,
      });
    } catch (error) {
      const refused = refusalOf(error);
      if (refused) return refuse(reply, refused);
      const answeredError = apiError(error);
      if (!answeredError || ![status.FAILED_PRECONDITION, status.INVALID_ARGUMENT].includes(answeredError.code)) throw error;
      // a line the API refused (more than ordered, fewer than received) is shown at that line; anything else above the form
      const sku = answeredError.metadata.sku;
      const lineIndex = answeredError.violations.map((v) => /^lines\[(\d+)\]/.exec(v.field)?.[1]).find(Boolean);
      const failed = sku ?? forms.filter((f) => f.open)[Number(lineIndex)]?.line.sku;
      const marked = forms.map((f) => (f.line.sku === failed ? { ...f, error: answeredError.details } : f));
      reply.code(answeredError.code === status.INVALID_ARGUMENT ? 400 : 409);
      return show(request, reply, page, marked, { note, formError: failed ? undefined : answeredError.details });
    }
    const after = { ...page, purchaseOrder: answered.purchaseOrder };
    return show(request, reply, after, formOf(after), { revision: answered.revision, recorded: true });
  });
}

/** The page a link opens, or undefined once the refusal page was sent (the link is checked on every request). */
async function openLink(api: Api, token: string, reply: FastifyReply): Promise<OpenSupplierLinkResponse | undefined> {
  try {
    return await api.procurement.openSupplierLink({ link: token });
  } catch (error) {
    const refused = refusalOf(error) ?? (apiError(error)?.code === status.INVALID_ARGUMENT ? 'LINK_INVALID' : undefined);
    if (!refused) throw error;
    refuse(reply, refused);
    return undefined;
  }
}

/** LINK_INVALID, LINK_EXPIRED or LINK_REVOKED when the API refused the link; undefined for any other answer. */
function refusalOf(error: unknown): string | undefined {
  const answered = apiError(error);
  return answered?.code === status.FAILED_PRECONDITION && answered.reason && REFUSED[answered.reason] ? answered.reason : undefined;
}

function refuse(reply: FastifyReply, reason: string) {
  const { statusCode, title } = REFUSED[reason];
  const message = reason === 'LINK_INVALID'
    ? 'The link may have been changed or cut short. Open the link in your latest email from us; nothing was changed.'
    : reason === 'LINK_EXPIRED' ? 'Links to a purchase order work for a limited time. Ask the buyer to send the purchase order again; nothing was changed.'
      : 'A newer email about this purchase order has a new link. Use the link in the latest email; nothing was changed.';
  return reply.code(statusCode).view('supplier-refusal.eta', { title, person: null, message });
}

function show(
  request: FastifyRequest,
  reply: FastifyReply,
  page: OpenSupplierLinkResponse,
  forms: LineForm[],
  extra: { note?: string; noteError?: string; formError?: string; revision?: AnswerPurchaseOrderResponse['revision']; recorded?: boolean } = {},
) {
  const po = page.purchaseOrder!;
  return render(request, reply, 'supplier-purchase-order.eta', {
    title: `Purchase order ${po.number}`,
    // the supplier is nobody signed in here, whoever else uses this browser
    person: null,
    page,
    po,
    forms,
    token: (request.params as Params).token,
    answerable: ANSWERABLE.includes(po.status),
    unanswered: po.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED || po.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT,
    cancelled: po.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CANCELLED,
    dateIn: (time: Date | undefined) => dateIn(time, page.timeZone),
    note: '',
    ...extra,
  });
}
