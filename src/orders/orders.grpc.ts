import type { Duration } from '../gen/google/protobuf/duration';
import { Priority } from '../gen/restock/common/v1/priority';
import { FulfillmentPolicy, OrderEventType, OrderStatus } from '../gen/restock/orders/v1/order';
import type { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import { pageSize } from '../platform/pagination';
import type { Handlers } from '../platform/rpc';
import type { ServiceDeps } from '../platform/service-module';
import { Validator } from '../platform/validation';
import { applyReceipt, allocateStock } from './receipts';
import { quoteAvailability } from './availability-quote';
import { toEta } from './etas';
import { listBackorders } from './backorder-queue';
import { cancelOrder, cancelOrderLine } from './cancellation';
import { cancelWaitingThroughLink, orderOfLink } from './order-page';
import { cancelWaitingLines } from './discontinued-lines';
import { etaRefresher } from './eta-refresh';
import { backorderMetrics } from './metrics';
import { getOrder, listOrders } from './order-queries';
import { watchOrderEvents } from './order-events';
import { updateOrder } from './order-update';
import { orderPlacement } from './placement';
import { shipOrder } from './shipping';
import { writeOffStock } from './write-offs';

const MAX_LINES = 100;
const MAX_AGE_SECONDS = 100 * 365 * 24 * 3600;
const MAX_SKUS = 1000;
/** Longer than any link token we sign (UUID, generation, expiry, signature). */
const MAX_LINK = 200;
/** The fields UpdateOrder may change, by update_mask path. */
const UPDATABLE = ['priority', 'fulfillment_policy'];
const isKnown = (e: object, value: number) => value in e && value > 0;

/** The OrdersService handlers: validate, call one domain function, map the result. */
export function ordersHandlers(deps: ServiceDeps): Handlers<typeof OrdersServiceDefinition> {
  const placeOrder = orderPlacement(deps);
  const refreshEtas = etaRefresher(deps);
  return {
    async placeOrder(request) {
      const v = new Validator()
        .id('request_id', request.requestId)
        .id('customer_id', request.customerId)
        .email('customer_email', request.customerEmail)
        .check(request.priority in Priority && request.priority >= 0, 'priority', 'must be a Priority')
        .check(request.fulfillmentPolicy in FulfillmentPolicy && request.fulfillmentPolicy >= 0, 'fulfillment_policy', 'must be a FulfillmentPolicy')
        .check(request.lines.length >= 1 && request.lines.length <= MAX_LINES, 'lines', `must have 1-${MAX_LINES} lines`);
      request.lines.forEach((line, i) => v.sku(`lines[${i}].sku`, line.sku).quantity(`lines[${i}].quantity`, line.quantity));
      v.done();
      const order = await placeOrder({
        requestId: request.requestId,
        customerId: request.customerId,
        customerEmail: request.customerEmail,
        priority: request.priority || Priority.PRIORITY_STANDARD,
        fulfillmentPolicy: request.fulfillmentPolicy || FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
        lines: request.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      });
      return { order };
    },
    async quoteAvailability(request) {
      const v = new Validator().sku('sku', request.sku).quantity('quantity', request.quantity);
      if (request.customerId !== '') v.id('customer_id', request.customerId);
      v.done();
      const quote = await quoteAvailability(deps, { sku: request.sku, quantity: request.quantity, customerId: request.customerId });
      return { ...quote, eta: quote.eta && toEta(quote.eta) };
    },
    async getOrder({ orderId }) {
      new Validator().id('order_id', orderId).done();
      return { order: await getOrder(deps.orm, orderId) };
    },
    async listOrders(request) {
      const v = new Validator();
      if (request.customerId !== '') v.id('customer_id', request.customerId);
      request.statuses.forEach((status, i) => v.check(isKnown(OrderStatus, status), `statuses[${i}]`, 'must be an OrderStatus other than UNSPECIFIED'));
      v.done();
      const listing = { customerId: request.customerId, statuses: request.statuses, readyToShipNow: request.readyToShipNow };
      return listOrders(deps.orm, listing, pageSize(request.pageSize), request.pageToken);
    },
    async updateOrder(request, call) {
      const { order } = request;
      const paths = request.updateMask ?? [];
      const v = new Validator()
        .check(order !== undefined, 'order', 'is required')
        .check(paths.length > 0, 'update_mask', `is required: name ${UPDATABLE.join(' and/or ')}`)
        .text('reason', request.reason, { min: 1, max: 500 })
        .id('request_id', request.requestId);
      paths.forEach((path, i) => v.check(UPDATABLE.includes(path), `update_mask.paths[${i}]`, `unknown field "${path.slice(0, 64)}"; UpdateOrder changes ${UPDATABLE.join(', ')}`));
      if (order) {
        v.id('order.order_id', order.orderId);
        if (paths.includes('priority')) v.check(isKnown(Priority, order.priority), 'order.priority', 'must be a Priority other than UNSPECIFIED');
        if (paths.includes('fulfillment_policy')) v.check(isKnown(FulfillmentPolicy, order.fulfillmentPolicy), 'order.fulfillment_policy', 'must be a FulfillmentPolicy other than UNSPECIFIED');
      }
      v.done();
      const settings = {
        ...(paths.includes('priority') ? { priority: order!.priority } : {}),
        ...(paths.includes('fulfillment_policy') ? { fulfillmentPolicy: order!.fulfillmentPolicy } : {}),
      };
      return { order: await updateOrder(deps, { orderId: order!.orderId, settings, reason: request.reason, requestId: request.requestId }, call.caller.sub) };
    },
    async *watchOrderEvents(request, call) {
      const v = new Validator().check(request.cursor.length <= 64, 'cursor', 'is not a cursor of an order event');
      request.types.forEach((type, i) => v.check(isKnown(OrderEventType, type), `types[${i}]`, 'must be an OrderEventType other than UNSPECIFIED'));
      v.done();
      for await (const event of watchOrderEvents(deps.orm, request, deps.config.ORDER_EVENTS_POLL_MS, call.signal)) yield { event };
    },
    async cancelOrder(request, call) {
      const v = new Validator().id('order_id', request.orderId).text('reason', request.reason, { min: 1, max: 500 });
      if (request.requestId) v.id('request_id', request.requestId);
      v.done();
      return { order: await cancelOrder(deps, request, call.caller.sub) };
    },
    async cancelOrderLine(request, call) {
      const v = new Validator()
        .id('order_id', request.orderId)
        .id('line_id', request.lineId)
        .quantity('quantity', request.quantity, { min: 0 })
        .text('reason', request.reason, { min: 1, max: 500 });
      if (request.requestId) v.id('request_id', request.requestId);
      v.done();
      return { order: await cancelOrderLine(deps, request, call.caller.sub) };
    },
    async shipOrder(request) {
      new Validator()
        .id('order_id', request.orderId)
        .id('shipment_id', request.shipmentId)
        .text('carrier', request.carrier, { min: 1, max: 100 })
        .text('tracking_number', request.trackingNumber, { min: 1, max: 100 })
        .done();
      return { order: await shipOrder(deps, request) };
    },
    async listBackorders(request) {
      const v = new Validator();
      if (request.sku !== '') v.sku('sku', request.sku);
      if (request.supplierId !== '') v.id('supplier_id', request.supplierId);
      const minAgeMs = durationMs(v, 'min_age', request.minAge);
      v.check(request.priority in Priority && request.priority >= 0, 'priority', 'must be a Priority').done();
      const query = { sku: request.sku, supplierId: request.supplierId, priority: request.priority, minAgeMs };
      return listBackorders(deps, query, pageSize(request.pageSize), request.pageToken);
    },
    async applyReceipt(request) {
      new Validator().id('receipt_id', request.receiptId).sku('sku', request.sku).quantity('quantity', request.quantity).done();
      return applyReceipt(deps, request);
    },
    async allocateStock({ sku }) {
      new Validator().sku('sku', sku).done();
      return { allocations: await allocateStock(deps, sku) };
    },
    async refreshEtas({ skus }) {
      const v = new Validator().check(skus.length >= 1 && skus.length <= MAX_SKUS, 'skus', `must list 1-${MAX_SKUS} SKUs`);
      skus.forEach((sku, i) => v.sku(`skus[${i}]`, sku));
      v.done();
      return { changedLines: await refreshEtas(skus) };
    },
    async getBackorderMetrics(request) {
      const v = new Validator();
      if (request.sku !== '') v.sku('sku', request.sku);
      if (request.supplierId !== '') v.id('supplier_id', request.supplierId);
      const { startTime: start, endTime: end } = request;
      v.check(!start || !end || start.getTime() <= end.getTime(), 'end_time', 'must not be before start_time').done();
      const scope = { start: start ?? null, end: end ?? null, sku: request.sku, supplierId: request.supplierId };
      return { metrics: await backorderMetrics(deps, scope) };
    },
    async openCustomerLink({ link }) {
      new Validator().text('link', link, { min: 1, max: MAX_LINK }).done();
      return orderOfLink(deps, link);
    },
    async cancelWaitingUnits(request) {
      const v = new Validator()
        .text('link', request.link, { min: 1, max: MAX_LINK })
        .check(request.lineIds.length <= MAX_LINES, 'line_ids', `must list at most ${MAX_LINES} lines`);
      request.lineIds.forEach((id, i) => v.id(`line_ids[${i}]`, id));
      if (request.requestId) v.id('request_id', request.requestId);
      v.done();
      return { order: await cancelWaitingThroughLink(deps, request.link, request.lineIds, request.requestId) };
    },
    async writeOffStock(request, call) {
      new Validator()
        .id('request_id', request.requestId)
        .sku('sku', request.sku)
        .quantity('quantity', request.quantity)
        .text('reason', request.reason, { min: 1, max: 500 })
        .done();
      const { freeQuantity, lines } = await writeOffStock(deps, request, call.caller.sub);
      return { freeQuantity, lines };
    },
    async cancelWaitingLines(request) {
      new Validator()
        .id('request_id', request.requestId)
        .sku('sku', request.sku)
        .text('reason', request.reason, { min: 1, max: 500 })
        .text('cancelled_by', request.cancelledBy, { max: 1000 })
        .done();
      return { cancelledQuantity: await cancelWaitingLines(deps, request) };
    },
  };
}

/** A non-negative duration of at most 100 years, in milliseconds (0 when unset); a violation otherwise. */
function durationMs(v: Validator, field: string, duration: Duration | undefined): number {
  if (!duration) return 0;
  const ok = Number.isSafeInteger(duration.seconds) && duration.seconds >= 0 && duration.seconds <= MAX_AGE_SECONDS
    && Number.isInteger(duration.nanos) && duration.nanos >= 0 && duration.nanos < 1e9;
  v.check(ok, field, 'must be a duration from 0 to 100 years');
  return ok ? duration.seconds * 1000 + Math.floor(duration.nanos / 1e6) : 0;
}
