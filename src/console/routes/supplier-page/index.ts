import { status } from '@grpc/grpc-js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnswerPurchaseOrderResponse, OpenSupplierLinkResponse } from '../../../gen/restock/procurement/v1/procurement_service';
import { PurchaseOrderStatus, type PurchaseOrderLine } from '../../../gen/restock/procurement/v1/purchase_order';
import { apiError, type Api } from '../../api';
import { linkPages, linkRefusal, LINK_PAGE_LIMIT, openLink } from '../../link-pages';
import { render } from '../../render';
import { dateIn, noonOf } from '../../../platform/zoned-time';

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

  linkPages(app, { askAgain: 'Ask the buyer to send the purchase order again', contact: 'contact the buyer' });

  app.get<{ Params: Params }>('/supplier/purchase-orders/:token', { config: LINK_PAGE_LIMIT }, async (request, reply) => {
    const page = await openLink(reply, () => api.procurement.openSupplierLink({ link: request.params.token }));
    if (!page) return reply;
    return show(request, reply, page, formOf(page));
  });

  app.post<{ Params: Params; Body: Record<string, string | undefined> }>('/supplier/purchase-orders/:token', { config: LINK_PAGE_LIMIT }, async (request, reply) => {
    const { token } = request.params;
    const page = await openLink(reply, () => api.procurement.openSupplierLink({ link: token }));
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
      const refused = linkRefusal(error);
      if (refused) return reply.refuseLink(refused);
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
