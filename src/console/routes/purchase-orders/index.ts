import type { FastifyInstance } from 'fastify';
import { PurchaseOrderStatus, purchaseOrderStatusFromJSON, type PurchaseOrder } from '../../../gen/restock/procurement/v1/purchase_order';
import { fieldViolations, type Api } from '../../api';
import { render } from '../../render';

/** The statuses the list filters on (one at a time today). */
const STATUSES = ['ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'] as const;

interface ListQuery {
  status?: string;
  supplier?: string;
  page_token?: string;
  released?: string;
}

/**
 * A page of purchase orders. Today: ListPurchaseOrders with one status and a supplier; swap in its multi-status,
 * date-range and number-search filters when they land.
 */
export async function fetchPurchaseOrders(api: Api, filter: { status: string; supplierId: string; pageToken: string }) {
  const status = filter.status ? purchaseOrderStatusFromJSON(`PURCHASE_ORDER_STATUS_${filter.status}`) : PurchaseOrderStatus.PURCHASE_ORDER_STATUS_UNSPECIFIED;
  const page = await api.procurement.listPurchaseOrders({ supplierId: filter.supplierId, status, pageSize: 50, pageToken: filter.pageToken });
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

/** The steps a PO went through, as far as its timestamps tell. */
function timeline(order: PurchaseOrder): { label: string; time?: Date }[] {
  const steps = [
    { label: 'Released', time: order.createTime },
    { label: 'Emailed to the supplier', time: order.sendTime },
    { label: 'Confirmed; delivery promised for', time: order.promisedTime },
    { label: 'Expected', time: order.expectedTime },
  ];
  return steps.filter((step) => step.time);
}

export default async function purchaseOrderRoutes(app: FastifyInstance) {
  app.get<{ Querystring: ListQuery }>('/purchase-orders', async (request, reply) => {
    const status = (STATUSES as readonly string[]).includes(request.query.status ?? '') ? request.query.status! : '';
    const supplierId = (request.query.supplier ?? '').trim();
    const data = await fetchPurchaseOrders(request.api, { status, supplierId, pageToken: request.query.page_token ?? '' });
    const released = request.query.released ? request.query.released.split(',').filter(Boolean) : undefined;
    return render(request, reply, 'purchase-orders.eta', { title: 'Purchase orders', ...data, status, supplierId, statuses: STATUSES, released });
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
