import { PurchaseOrderStatus } from '../gen/restock/procurement/v1/purchase_order';
import type { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Clock } from '../platform/clock';
import type { Orm } from '../platform/orm';
import { pageSize } from '../platform/pagination';
import type { Handlers } from '../platform/rpc';
import { MAX_QUANTITY, Validator } from '../platform/validation';
import { getSupplyForecast, quoteSupply } from './forecast';
import { getLeadTimeStats, listLeadTimeObservations } from './lead-time-stats';
import { cancelPurchaseOrder, confirmPurchaseOrder } from './purchase-order-lifecycle';
import { getPurchaseOrder, listPurchaseOrders } from './purchase-orders';
import * as map from './procurement.mapping';
import { checkLines, optionalId } from './procurement.validation';
import { receivePurchaseOrder } from './receipts';

const STATUS_COUNT = 6;
const MAX_QUOTED_SKUS = 1000;
// A placement batch quotes the sum of its orders' backorders of a SKU.
const INT32_MAX = 2_147_483_647;

/** Handlers of purchase orders, lead times and the supply forecast: validate, call one domain function, map. */
export function purchaseOrderHandlers(orm: Orm, clock: Clock): Handlers<typeof ProcurementServiceDefinition> {
  return {
    async getPurchaseOrder({ purchaseOrderId }) {
      new Validator().id('purchase_order_id', purchaseOrderId).done();
      return { purchaseOrder: map.toPurchaseOrder(await getPurchaseOrder(orm, purchaseOrderId), clock.now()) };
    },
    async listPurchaseOrders(request) {
      const isStatus = (status: PurchaseOrderStatus) => status in PurchaseOrderStatus && status !== PurchaseOrderStatus.UNRECOGNIZED;
      const v = optionalId(new Validator(), 'supplier_id', request.supplierId)
        .check(isStatus(request.status), 'status', 'is not a purchase order status')
        .check(request.statuses.length <= STATUS_COUNT, 'statuses', `must list at most ${STATUS_COUNT} statuses`)
        .text('number_query', request.numberQuery, { max: 64 });
      request.statuses.forEach((status, i) =>
        v.check(isStatus(status) && status !== PurchaseOrderStatus.PURCHASE_ORDER_STATUS_UNSPECIFIED, `statuses[${i}]`, 'is not a purchase order status'));
      const { createStartTime: start, createEndTime: end } = request;
      v.check(!start || !end || start.getTime() <= end.getTime(), 'create_end_time', 'must not be before create_start_time').done();
      const statuses = [...new Set([request.status, ...request.statuses].map(map.fromStatus).filter((s) => s !== null))];
      const now = clock.now();
      const filter = {
        supplierId: request.supplierId, statuses, createStart: start ?? null, createEnd: end ?? null, numberQuery: request.numberQuery.trim(),
        overdueAsOf: request.overdue ? now : null, needsAttention: request.needsAttention,
      };
      const page = await listPurchaseOrders(orm, filter, pageSize(request.pageSize), request.pageToken);
      return { purchaseOrders: page.purchaseOrders.map((o) => map.toPurchaseOrder(o, now)), nextPageToken: page.nextPageToken };
    },
    async confirmPurchaseOrder(request) {
      const v = new Validator().id('purchase_order_id', request.purchaseOrderId).check(request.promisedTime !== undefined, 'promised_time', 'is required');
      checkLines(v, request.lines, (line, field) => v.quantity(`${field}.confirmed_quantity`, line.confirmedQuantity, { min: 0 }), { min: 0 }).done();
      const order = await confirmPurchaseOrder(orm, clock, { purchaseOrderId: request.purchaseOrderId, promisedTime: request.promisedTime!, lines: request.lines });
      return { purchaseOrder: map.toPurchaseOrder(order, clock.now()) };
    },
    async cancelPurchaseOrder(request) {
      new Validator().id('purchase_order_id', request.purchaseOrderId).text('reason', request.reason, { min: 1, max: 500 }).done();
      return { purchaseOrder: map.toPurchaseOrder(await cancelPurchaseOrder(orm, request.purchaseOrderId, request.reason), clock.now()) };
    },
    async receivePurchaseOrder(request) {
      const v = new Validator().id('receipt_id', request.receiptId).id('purchase_order_id', request.purchaseOrderId);
      checkLines(v, request.lines, (line, field) => v.quantity(`${field}.quantity`, line.quantity, { min: 1, max: MAX_QUANTITY })).done();
      const order = await receivePurchaseOrder(orm, clock, { ...request, receivedTime: request.receivedTime ?? null });
      return { purchaseOrder: map.toPurchaseOrder(order, clock.now()) };
    },
    async getLeadTimeStats(request) {
      const v = new Validator().id('supplier_id', request.supplierId);
      if (request.sku !== '') v.sku('sku', request.sku);
      v.done();
      const { latestDays: _latest, ...stats } = await getLeadTimeStats(orm, request.supplierId, request.sku);
      return { stats };
    },
    async listLeadTimeObservations(request) {
      const v = new Validator().id('supplier_id', request.supplierId);
      if (request.sku !== '') v.sku('sku', request.sku);
      const { observeStartTime: start, observeEndTime: end } = request;
      v.check(!start || !end || start.getTime() <= end.getTime(), 'observe_end_time', 'must not be before observe_start_time').done();
      const filter = { supplierId: request.supplierId, sku: request.sku, observeStart: start ?? null, observeEnd: end ?? null };
      const page = await listLeadTimeObservations(orm, filter, pageSize(request.pageSize), request.pageToken);
      return {
        observations: page.observations.map((o) => ({
          purchaseOrderId: o.purchaseOrderId, purchaseOrderNumber: o.purchaseOrderNumber, sku: o.sku, observeTime: o.observeTime, leadTimeDays: o.days,
        })),
        nextPageToken: page.nextPageToken,
      };
    },
    async getSupplyForecast({ sku }) {
      new Validator().sku('sku', sku).done();
      return { arrivals: (await getSupplyForecast(orm, clock, sku)).map(map.toArrival) };
    },
    async quoteSupply({ demands }) {
      const v = new Validator().check(demands.length >= 1 && demands.length <= MAX_QUOTED_SKUS, 'demands', `must have 1-${MAX_QUOTED_SKUS} SKUs`);
      demands.forEach((d, i) => v.sku(`demands[${i}].sku`, d.sku).quantity(`demands[${i}].quantity`, d.quantity, { min: 0, max: INT32_MAX }));
      v.check(new Set(demands.map((d) => d.sku)).size === demands.length, 'demands', 'must name each SKU once').done();
      const quotes = await quoteSupply(orm, clock, demands.map((d) => ({ sku: d.sku, quantity: d.quantity })));
      return {
        quotes: quotes.map((q) => ({ sku: q.sku, arrivals: q.arrivals.map(map.toArrival), demandArrival: q.demandArrival ? map.toArrival(q.demandArrival) : undefined, supplierId: q.supplierId })),
      };
    },
  };
}
