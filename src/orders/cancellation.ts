import { OrderEventType, OrderStatus, type Order } from '../gen/restock/orders/v1/order';
import { failedPrecondition, notFound } from '../platform/errors';
import { once } from '../platform/idempotency';
import { transaction, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { inventoryRequestId, takeHeldUnits } from './reservation-holders';
import { cancellationEmail } from './customer-emails';
import { loadOrder } from './order-queries';
import { cancelLineUnits, insertCancellation, lockOrderLines, placedOrderSkus, setCancelReason } from './order.repository';
import { insertOrderEvents, type EventToWrite } from './order-event.repository';
import { assertLineTransition, assertOrderTransition, shippableUnits, type LineUnits } from './order-status';
import { lockSkusInTransaction } from './sku-lock.repository';
import { EMAIL } from '../platform/mail';
import { message, type OutboxMessage } from '../platform/topics';
import { CANCEL_DEMAND, RELEASE_STOCK } from './topics';

interface OpenLine extends LineUnits {
  lineId: string;
  sku: string;
}

/** CancelRequest is what a cancellation names; with a request id a retry cancels nothing more. */
interface CancelRequest {
  orderId: string;
  reason: string;
  requestId: string;
}

/** Cancels every open unit of an order with a reason; an order with nothing open but shipped units is FAILED_PRECONDITION. */
export function cancelOrder(deps: ServiceDeps, request: CancelRequest, cancelledBy: string): Promise<Order> {
  const { orderId } = request;
  return cancel(deps, 'CancelOrder', request, cancelledBy, (lines) => {
    const open = lines.filter((l) => l.allocated + l.backordered > 0);
    if (open.length === 0 && lines.some((l) => l.shipped > 0)) throw failedPrecondition('ORDER_SHIPPED', `order ${orderId} has shipped; nothing is left to cancel`, { order_id: orderId });
    return open.map((l) => ({ line: l, quantity: l.allocated + l.backordered }));
  });
}

/** Cancels open units of one line (0 = all still open); shipped units cannot be cancelled. */
export function cancelOrderLine(deps: ServiceDeps, request: CancelRequest & { lineId: string; quantity: number }, cancelledBy: string): Promise<Order> {
  return cancel(deps, 'CancelOrderLine', request, cancelledBy, (lines) => {
    const line = lines.find((l) => l.lineId === request.lineId);
    if (!line) throw notFound('order_line', request.lineId);
    const open = line.allocated + line.backordered;
    if (open === 0 && line.shipped > 0) throw failedPrecondition('LINE_SHIPPED', `line ${line.lineId} has shipped; nothing is left to cancel`, { line_id: line.lineId });
    if (open === 0) return [];
    const quantity = request.quantity || open;
    if (quantity > open) throw failedPrecondition('QUANTITY_EXCEEDS_OPEN', `line ${line.lineId} has only ${open} open units (shipped units cannot be cancelled)`, { line_id: line.lineId, open: String(open) });
    return [{ line, quantity }];
  });
}

/** Cancels the waiting units of some lines (none named: of every line); allocated and shipped units stay. */
export function cancelWaitingUnits(deps: ServiceDeps, request: CancelRequest & { lineIds: string[] }, cancelledBy: string): Promise<Order> {
  return cancel(deps, 'CancelWaitingUnits', request, cancelledBy, (lines) => {
    const named = new Set(request.lineIds);
    const unknown = request.lineIds.find((id) => !lines.some((l) => l.lineId === id));
    if (unknown) throw notFound('order_line', unknown);
    return lines.filter((l) => l.backordered > 0 && (named.size === 0 || named.has(l.lineId))).map((line) => ({ line, quantity: line.backordered }));
  });
}

/**
 * One transaction under the SKUs' locks (allocation cannot run at the same time): waiting units are
 * cancelled first and leave the supplier buffer, then reserved units, released in Inventory so they
 * reach waiting lines through the one allocation routine. The reason and who cancelled (cancelledBy, the
 * caller's token subject) are kept; the customer gets one email.
 * With a request id the cancellation is done once (the same id with another request is ALREADY_EXISTS);
 * a retry answers the order as it is now.
 */
async function cancel(deps: ServiceDeps, operation: string, request: CancelRequest, cancelledBy: string, choose: Choice): Promise<Order> {
  return transaction(deps.orm, async (sql) => {
    if (!request.requestId) return cancelLocked(deps, sql, request, cancelledBy, choose);
    await once(sql, 'orders', operation, request.requestId, request, async () => void (await cancelLocked(deps, sql, request, cancelledBy, choose)));
    return loadOrder(sql, request.orderId);
  });
}

type Choice = (lines: OpenLine[]) => { line: OpenLine; quantity: number }[];

async function cancelLocked(deps: ServiceDeps, sql: Sql, { orderId, reason }: CancelRequest, cancelledBy: string, choose: Choice): Promise<Order> {
  const skus = await placedOrderSkus(sql, orderId);
  if (skus.length === 0) throw notFound('order', orderId);
  await lockSkusInTransaction(sql, skus);
  const lines = await lockOrderLines(sql, orderId);
  const chosen = choose(lines);
  if (chosen.length === 0) return loadOrder(sql, orderId);
  const quantities = new Map(chosen.map((c) => [c.line.lineId, c.quantity]));
  assertOrderTransition(orderId, lines, lines.map((l) => (quantities.has(l.lineId) ? afterCancelling(l, quantities.get(l.lineId)!) : l)));
  const messages: OutboxMessage[] = [];
  const cancellationIds: string[] = [];
  for (const { line, quantity } of chosen) {
    const done = await cancelUnits(sql, deps.clock.now(), orderId, line, quantity, { reason, cancelledBy });
    messages.push(...done.messages);
    cancellationIds.push(done.cancellationId);
  }
  if (chosen.reduce((n, c) => n + c.quantity, 0) === lines.reduce((n, l) => n + l.allocated + l.backordered, 0)) {
    await setCancelReason(sql, orderId, reason);
  }
  const order = await loadOrder(sql, orderId);
  await insertOrderEvents(sql, cancellationEvents(order, lines, chosen, deps.clock.now()));
  const cancelled = chosen.map((c) => ({ sku: c.line.sku, quantity: c.quantity }));
  const email = message(EMAIL, `cancelled:${orderId}:${cancellationIds[0]}`, cancellationEmail(order, cancelled, reason));
  await enqueue(sql, 'orders', [...messages, email]);
  return order;
}

async function cancelUnits(
  sql: Sql,
  now: Date,
  orderId: string,
  line: OpenLine,
  quantity: number,
  { reason, cancelledBy }: { reason: string; cancelledBy: string },
): Promise<{ cancellationId: string; messages: OutboxMessage[] }> {
  const waiting = Math.min(quantity, line.backordered);
  const allocated = quantity - waiting;
  assertLineTransition(line.lineId, line, afterCancelling(line, quantity));
  await cancelLineUnits(sql, line.lineId, { waiting, allocated });
  const id = await insertCancellation(sql, { orderId, lineId: line.lineId, waiting, allocated, reason, cancelledBy, createTime: now });
  const requestId = `cancel:${line.lineId}:${id}`;
  const messages: OutboxMessage[] = [];
  if (waiting > 0) messages.push(message(CANCEL_DEMAND, `cancel-demand:${requestId}`, { demandId: line.lineId, quantity: waiting, requestId }));
  if (allocated > 0) {
    const lines = await takeHeldUnits(sql, [{ lineId: line.lineId, quantity: allocated }]);
    messages.push(message(RELEASE_STOCK, `release-stock:${requestId}`, { requestId: inventoryRequestId(requestId), lines }));
  }
  return { cancellationId: id, messages };
}

/**
 * CANCELLED for the whole order (no line) when nothing of it is left, else for each line cancelled from; READY_TO_SHIP when cancelling what
 * waited lets the rest ship (a SHIP_COMPLETE order whose last waiting units went).
 */
function cancellationEvents(after: Order, before: OpenLine[], chosen: { line: OpenLine }[], now: Date): EventToWrite[] {
  const base = { orderId: after.orderId, eventTime: now };
  const cancelled = after.status === OrderStatus.ORDER_STATUS_CANCELLED
    ? [{ ...base, type: OrderEventType.ORDER_EVENT_TYPE_CANCELLED }]
    : chosen.map((c) => ({ ...base, type: OrderEventType.ORDER_EVENT_TYPE_CANCELLED, lineId: c.line.lineId }));
  const nowShippable = after.readyToShipNow && shippableUnits(after.fulfillmentPolicy, before).size === 0;
  return nowShippable ? [...cancelled, { ...base, type: OrderEventType.ORDER_EVENT_TYPE_READY_TO_SHIP }] : cancelled;
}

/** A line's units once quantity of its open units are cancelled: waiting ones first, then allocated ones. */
function afterCancelling(line: OpenLine, quantity: number): OpenLine {
  const waiting = Math.min(quantity, line.backordered);
  return { ...line, backordered: line.backordered - waiting, allocated: line.allocated - (quantity - waiting), cancelled: line.cancelled + quantity };
}

/** Cancels the waiting units of an order's lines of one SKU in the caller's transaction (SKUs locked); returns how many. */
export async function cancelWaitingUnitsOfSku(deps: ServiceDeps, sql: Sql, orderId: string, sku: string, reason: string, cancelledBy: string): Promise<number> {
  let units = 0;
  await cancelLocked(deps, sql, { orderId, reason, requestId: '' }, cancelledBy, (lines) => {
    const waiting = lines.filter((l) => l.sku === sku && l.backordered > 0);
    units = waiting.reduce((sum, l) => sum + l.backordered, 0);
    return waiting.map((line) => ({ line, quantity: line.backordered }));
  });
  return units;
}
