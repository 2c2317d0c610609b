import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import {
  PurchaseOrderEmailKind, purchaseOrderStatusFromJSON, RevisionChannel, type PurchaseOrder, type PurchaseOrderRevision,
} from '../../../gen/restock/procurement/v1/purchase_order';
import { fieldViolations, type Api } from '../../api';
import { render } from '../../render';

/** The statuses the list filters on (any number at once). */
const STATUSES = ['ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'] as const;

interface ListQuery {
  status?: string | string[];
  supplier?: string;
  from?: string;
  to?: string;
  q?: string;
  page_token?: string;
  released?: string;
  attention?: string;
  overdue?: string;
}

/** The list's filters as the page shows them. */
export interface PurchaseOrderFilter {
  statuses: string[];
  supplierId: string;
  /** Created on or after this day, and on or before this day (YYYY-MM-DD, UTC); "" = open. */
  from: string;
  to: string;
  /** Text the PO number contains. */
  number: string;
  /** Only POs that need a planner's attention; only overdue POs. */
  needsAttention: boolean;
  overdue: boolean;
  pageToken: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A page of purchase orders: ListPurchaseOrders with its statuses, supplier, creation-date and number filters. */
export async function fetchPurchaseOrders(api: Api, filter: PurchaseOrderFilter) {
  const page = await api.procurement.listPurchaseOrders({
    supplierId: filter.supplierId,
    statuses: filter.statuses.map((status) => purchaseOrderStatusFromJSON(`PURCHASE_ORDER_STATUS_${status}`)),
    createStartTime: DAY.test(filter.from) ? new Date(`${filter.from}T00:00:00Z`) : undefined,
    // "to" is the last day shown: the bound is the start of the next day
    createEndTime: DAY.test(filter.to) ? new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
    numberQuery: filter.number,
    needsAttention: filter.needsAttention,
    overdue: filter.overdue,
    pageSize: 50,
    pageToken: filter.pageToken,
  });
  const suppliers = await supplierNames(api, page.purchaseOrders);
  return { orders: page.purchaseOrders, nextPageToken: page.nextPageToken, suppliers };
}

/** One purchase order with its supplier. */
export async function fetchPurchaseOrder(api: Api, purchaseOrderId: string) {
  const { purchaseOrder } = await api.procurement.getPurchaseOrder({ purchaseOrderId });
  const { supplier } = await api.procurement.getSupplier({ supplierId: purchaseOrder!.supplierId });
  return { order: purchaseOrder!, supplier: supplier! };
}

/** What the PO page shows: the PO, its supplier, its timeline (with the supplier's answers) and every email sent about it, as sent. */
async function purchaseOrderPage(api: Api, purchaseOrderId: string) {
  const [data, { emails }, { revisions }] = await Promise.all([
    fetchPurchaseOrder(api, purchaseOrderId),
    api.procurement.listPurchaseOrderEmails({ purchaseOrderId }),
    api.procurement.listPurchaseOrderRevisions({ purchaseOrderId, pageSize: 1000 }),
  ]);
  // newest first: the latest email is what the supplier is working from
  return { title: data.order.number, ...data, timeline: timeline(data.order, revisions), emails: emails.reverse(), requestId: randomUUID() };
}

/** One answer of the supplier in words: who gave it, where, and what it changed per line. */
function revisionLabel(revision: PurchaseOrderRevision): string {
  const day = (time: Date | undefined) => time?.toISOString().slice(0, 10) ?? '—';
  const what = revision.revisionNumber === 1 ? 'Confirmed' : `Revised (${revision.revisionNumber - 1})`;
  const where = revision.channel === RevisionChannel.REVISION_CHANNEL_SUPPLIER_LINK ? " on the supplier's page" : '';
  const lines = revision.lines.map((l) => `${l.sku} ${l.newConfirmedQuantity === 0 ? 'declined' : `${l.newConfirmedQuantity} for ${day(l.newPromisedTime)}`}`);
  return `${what} by ${revision.revisedBy}${where}: ${lines.join(', ')}${revision.note ? ` (“${revision.note}”)` : ''} —`;
}

/** What an email about a PO was, in words. */
const EMAIL_KINDS: Record<PurchaseOrderEmailKind, string> = {
  [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_ORDER]: 'Purchase order',
  [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_CONFIRM_REMINDER]: 'Reminder to confirm',
  [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_OVERDUE_REMINDER]: 'Overdue reminder',
  [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_RESEND]: 'Sent again',
  [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_CANCELLATION]: 'Cancellation',
  [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_UNSPECIFIED]: 'Email',
  [PurchaseOrderEmailKind.UNRECOGNIZED]: 'Email',
};

async function supplierNames(api: Api, orders: PurchaseOrder[]): Promise<Record<string, string>> {
  const ids = [...new Set(orders.map((order) => order.supplierId))];
  const found = await Promise.all(ids.map((supplierId) => api.procurement.getSupplier({ supplierId }).then((response) => response.supplier!)));
  return Object.fromEntries(found.map((supplier) => [supplier.supplierId, supplier.name]));
}

/** "Released", or for a release by hand who did it and why ("Released by X: reason"). */
function releasedLabel(order: PurchaseOrder): string {
  if (!order.releasedBy) return 'Released';
  return `Released by ${order.releasedBy}${order.releaseReason ? `: ${order.releaseReason}` : ''} —`;
}

/** The steps a PO went through, as far as its timestamps tell, with each answer of the supplier. */
function timeline(order: PurchaseOrder, revisions: PurchaseOrderRevision[] = []): { label: string; time?: Date }[] {
  const steps = [
    { label: releasedLabel(order), time: order.createTime },
    { label: 'Emailed to the supplier', time: order.sendTime },
    ...revisions.map((revision) => ({ label: revisionLabel(revision), time: revision.reviseTime })),
    { label: 'Confirmed; delivery promised for', time: order.promisedTime },
    { label: 'Expected', time: order.expectedTime },
  ];
  return steps.filter((step) => step.time);
}

export default async function purchaseOrderRoutes(app: FastifyInstance) {
  app.get<{ Querystring: ListQuery }>('/purchase-orders', async (request, reply) => {
    const asked = [request.query.status ?? []].flat();
    const filter: PurchaseOrderFilter = {
      statuses: STATUSES.filter((status) => asked.includes(status)),
      supplierId: (request.query.supplier ?? '').trim(),
      from: DAY.test(request.query.from ?? '') ? request.query.from! : '',
      to: DAY.test(request.query.to ?? '') ? request.query.to! : '',
      number: (request.query.q ?? '').trim().slice(0, 64),
      needsAttention: request.query.attention === '1',
      overdue: request.query.overdue === '1',
      pageToken: request.query.page_token ?? '',
    };
    let data;
    let errors: Record<string, string> = {};
    try {
      data = await fetchPurchaseOrders(request.api, filter);
    } catch (error) {
      const violations = fieldViolations(error);
      if (!violations) throw error;
      errors = violations;
      data = { orders: [], nextPageToken: '', suppliers: {} };
      reply.code(400);
    }
    const released = request.query.released ? request.query.released.split(',').filter(Boolean) : undefined;
    const next = new URLSearchParams([
      ...filter.statuses.map((status): [string, string] => ['status', status]),
      ['supplier', filter.supplierId],
      ['from', filter.from],
      ['to', filter.to],
      ['q', filter.number],
      ...(filter.needsAttention ? [['attention', '1'] as [string, string]] : []),
      ...(filter.overdue ? [['overdue', '1'] as [string, string]] : []),
      ['page_token', data.nextPageToken],
    ]).toString();
    return render(request, reply, 'purchase-orders.eta', { title: 'Purchase orders', ...data, filter, statuses: STATUSES, released, errors, nextPage: data.nextPageToken ? `/purchase-orders?${next}` : undefined });
  });

  app.get<{ Params: { id: string }; Querystring: { resent?: string } }>('/purchase-orders/:id', async (request, reply) => {
    const page = await purchaseOrderPage(request.api, request.params.id);
    return render(request, reply, 'purchase-order.eta', { ...page, emailKinds: EMAIL_KINDS, resent: request.query.resent === '1' });
  });

  app.post<{ Params: { id: string }; Body: { promised_date?: string } }>('/purchase-orders/:id/confirm', async (request, reply) => {
    const text = (request.body?.promised_date ?? '').trim();
    const promisedTime = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T12:00:00Z`) : undefined;
    let errors: Record<string, string> = {};
    if (!promisedTime || Number.isNaN(promisedTime.getTime())) {
      errors = { promised_time: 'pick the delivery date the supplier promised' };
    } else {
      try {
        // confirmed on the supplier's behalf: every line as ordered (the supplier's own page can confirm less)
        const { order } = await fetchPurchaseOrder(request.api, request.params.id);
        await request.api.procurement.confirmPurchaseOrder({
          purchaseOrderId: request.params.id,
          promisedTime,
          lines: order.lines.map((line) => ({ sku: line.sku, confirmedQuantity: line.quantity })),
        });
        return reply.redirect(`/purchase-orders/${encodeURIComponent(request.params.id)}`, 303);
      } catch (error) {
        const violations = fieldViolations(error);
        if (!violations) throw error;
        errors = violations;
      }
    }
    reply.code(400);
    return render(request, reply, 'purchase-order.eta', { ...(await purchaseOrderPage(request.api, request.params.id)), emailKinds: EMAIL_KINDS, errors });
  });

  app.post<{ Params: { id: string }; Body: { reason?: string } }>('/purchase-orders/:id/cancel', async (request, reply) => {
    try {
      await request.api.procurement.cancelPurchaseOrder({ purchaseOrderId: request.params.id, reason: (request.body?.reason ?? '').trim() });
      return reply.redirect(`/purchase-orders/${encodeURIComponent(request.params.id)}`, 303);
    } catch (error) {
      const violations = fieldViolations(error);
      if (!violations) throw error;
      reply.code(400);
      return render(request, reply, 'purchase-order.eta', { ...(await purchaseOrderPage(request.api, request.params.id)), emailKinds: EMAIL_KINDS, errors: violations });
    }
  });

  // sends the PO again to the supplier's current address (the API keeps who and why); the request id of the
  // rendered form makes a double submit one resend
  app.post<{ Params: { id: string }; Body: { reason?: string; revoke_earlier_links?: string; request_id?: string } }>('/purchase-orders/:id/resend', async (request, reply) => {
    try {
      await request.api.procurement.resendPurchaseOrder({
        purchaseOrderId: request.params.id,
        reason: (request.body?.reason ?? '').trim(),
        revokeEarlierLinks: request.body?.revoke_earlier_links === 'on',
        requestId: (request.body?.request_id ?? '').trim(),
      });
      return reply.redirect(`/purchase-orders/${encodeURIComponent(request.params.id)}?resent=1`, 303);
    } catch (error) {
      const violations = fieldViolations(error);
      if (!violations) throw error;
      reply.code(400);
      const errors = Object.fromEntries(Object.entries(violations).map(([field, description]) => [field === 'reason' ? 'resend_reason' : field, description]));
      return render(request, reply, 'purchase-order.eta', { ...(await purchaseOrderPage(request.api, request.params.id)), emailKinds: EMAIL_KINDS, errors });
    }
  });
}
