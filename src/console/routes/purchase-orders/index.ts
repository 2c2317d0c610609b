import type { FastifyInstance } from 'fastify';
import { purchaseOrderStatusFromJSON, type PurchaseOrder } from '../../../gen/restock/procurement/v1/purchase_order';
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

/** The steps a PO went through, as far as its timestamps tell. */
function timeline(order: PurchaseOrder): { label: string; time?: Date }[] {
  const steps = [
    { label: releasedLabel(order), time: order.createTime },
    { label: 'Emailed to the supplier', time: order.sendTime },
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
      ['page_token', data.nextPageToken],
    ]).toString();
    return render(request, reply, 'purchase-orders.eta', { title: 'Purchase orders', ...data, filter, statuses: STATUSES, released, errors, nextPage: data.nextPageToken ? `/purchase-orders?${next}` : undefined });
  });

  app.get<{ Params: { id: string } }>('/purchase-orders/:id', async (request, reply) => {
    const data = await fetchPurchaseOrder(request.api, request.params.id);
    return render(request, reply, 'purchase-order.eta', { title: data.order.number, ...data, timeline: timeline(data.order) });
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
    const data = await fetchPurchaseOrder(request.api, request.params.id);
    reply.code(400);
    return render(request, reply, 'purchase-order.eta', { title: data.order.number, ...data, timeline: timeline(data.order), errors });
  });

  app.post<{ Params: { id: string }; Body: { reason?: string } }>('/purchase-orders/:id/cancel', async (request, reply) => {
    try {
      await request.api.procurement.cancelPurchaseOrder({ purchaseOrderId: request.params.id, reason: (request.body?.reason ?? '').trim() });
      return reply.redirect(`/purchase-orders/${encodeURIComponent(request.params.id)}`, 303);
    } catch (error) {
      const violations = fieldViolations(error);
      if (!violations) throw error;
      const data = await fetchPurchaseOrder(request.api, request.params.id);
      reply.code(400);
      return render(request, reply, 'purchase-order.eta', { title: data.order.number, ...data, timeline: timeline(data.order), errors: violations });
    }
  });
}
