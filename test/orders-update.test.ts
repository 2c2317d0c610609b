import { status } from '@grpc/grpc-js';
import { Priority } from '../src/gen/restock/common/v1/priority';
import { FulfillmentPolicy, OrderStatus, type Order } from '../src/gen/restock/orders/v1/order';
import type { UpdateOrderRequest } from '../src/gen/restock/orders/v1/orders_service';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { query } from './support/db';
import { order, product } from './support/fixtures';

// UpdateOrder over real gRPC: priority and fulfillment policy by field mask, audited, idempotent, the order's
// waiting lines moved to their new place in the FIFO queue (and free stock allocated by the usual rule).
let t: TestApp;
const now = new Date('2026-06-01T10:00:00Z');
beforeAll(async () => {
  t = await startTestApp({ background: false, clock: { now: () => now } });
});
afterAll(async () => {
  await t?.stop();
});

const { PRIORITY_STANDARD: STANDARD, PRIORITY_EXPEDITED: EXPEDITED, PRIORITY_VIP: VIP } = Priority;
const { FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW: NOW, FULFILLMENT_POLICY_SHIP_COMPLETE: COMPLETE } = FulfillmentPolicy;
let requests = 0;

function update(placed: Order, changes: { priority?: Priority; fulfillmentPolicy?: FulfillmentPolicy }, more: Partial<UpdateOrderRequest> = {}) {
  const updateMask = [...(changes.priority ? ['priority'] : []), ...(changes.fulfillmentPolicy ? ['fulfillment_policy'] : [])];
  return t.orders.updateOrder({ order: { orderId: placed.orderId, ...changes }, updateMask, reason: 'customer called', requestId: `upd-${++requests}`, ...more });
}

const queueOf = async (sku: string) => (await t.orders.listBackorders({ sku })).backorders.map((b) => [b.orderId, Priority[b.priority], b.position]);

it('moves the waiting lines of an order to their new place in the queue; stock then goes by the new order', async () => {
  await product(t, 'UP-Q');
  const a = (await order(t, [['UP-Q', 2]], { customer: 'up-a' })).order!;
  const b = (await order(t, [['UP-Q', 2]], { customer: 'up-b' })).order!;
  const c = (await order(t, [['UP-Q', 2]], { customer: 'up-c' })).order!;
  const d = (await order(t, [['UP-Q', 2]], { customer: 'up-d', priority: EXPEDITED })).order!;
  expect(await queueOf('UP-Q')).toEqual([[d.orderId, 'PRIORITY_EXPEDITED', 1], [a.orderId, 'PRIORITY_STANDARD', 2], [b.orderId, 'PRIORITY_STANDARD', 3], [c.orderId, 'PRIORITY_STANDARD', 4]]);

  const { order: changed } = await update(c, { priority: VIP });
  expect([changed!.priority, changed!.fulfillmentPolicy]).toEqual([VIP, NOW]);
  expect(await queueOf('UP-Q')).toEqual([[c.orderId, 'PRIORITY_VIP', 1], [d.orderId, 'PRIORITY_EXPEDITED', 2], [a.orderId, 'PRIORITY_STANDARD', 3], [b.orderId, 'PRIORITY_STANDARD', 4]]);
  // back down to STANDARD: behind the older STANDARD orders, by its placement time
  await update(d, { priority: STANDARD });
  expect(await queueOf('UP-Q')).toEqual([[c.orderId, 'PRIORITY_VIP', 1], [a.orderId, 'PRIORITY_STANDARD', 2], [b.orderId, 'PRIORITY_STANDARD', 3], [d.orderId, 'PRIORITY_STANDARD', 4]]);

  const { allocations } = await t.orders.applyReceipt({ receiptId: 'up-q-1', sku: 'UP-Q', quantity: 3 });
  expect(allocations.map((x) => [x.orderId, x.quantity])).toEqual([[c.orderId, 2], [a.orderId, 1]]);
});

it('hands free stock to an order that moved ahead, by the usual FIFO rule', async () => {
  await product(t, 'UP-FREE');
  const first = (await order(t, [['UP-FREE', 2]], { customer: 'up-first' })).order!;
  await t.inventory.adjustStock({ requestId: 'up-free-found', sku: 'UP-FREE', delta: 2, reason: 'found two' }); // not yet announced to Orders
  const second = (await order(t, [['UP-FREE', 2]], { customer: 'up-second' })).order!;
  expect(second.lines[0].backorderedQuantity).toBe(2); // an older line waits: the FIFO gate holds the new one back
  await update(second, { priority: VIP });
  // only Orders' outbox: the update's own announcement allocates (Inventory's of the found units is left undelivered)
  while ((await t.app.dispatchers.orders!.drain()) > 0);
  const [nowFirst, nowSecond] = await Promise.all([first, second].map(async (x) => (await t.orders.getOrder({ orderId: x.orderId })).order!));
  expect([nowSecond.lines[0].allocatedQuantity, nowSecond.lines[0].backorderedQuantity]).toEqual([2, 0]);
  expect([nowFirst.lines[0].allocatedQuantity, nowFirst.lines[0].backorderedQuantity]).toEqual([0, 2]);
});

it('keeps who changed what, when, why, before and after, in the same transaction', async () => {
  await product(t, 'UP-AUDIT');
  const placed = (await order(t, [['UP-AUDIT', 1]], { customer: 'up-audit' })).order!;
  const planner = t.clientsAs({ sub: 'planner-pat', roles: ['planner'] });
  await planner.orders.updateOrder({ order: { orderId: placed.orderId, priority: EXPEDITED, fulfillmentPolicy: COMPLETE }, updateMask: ['priority', 'fulfillment_policy'], reason: 'key account', requestId: 'up-audit-1' });
  await planner.orders.updateOrder({ order: { orderId: placed.orderId, fulfillmentPolicy: NOW, priority: VIP }, updateMask: ['fulfillment_policy'], reason: 'split it after all', requestId: 'up-audit-2' });
  const changes = await query(t.databaseUrl, 'SELECT changed_by, reason, before, after, create_time FROM orders.order_change WHERE order_id = $1 ORDER BY change_id', [placed.orderId]);
  expect(changes).toEqual([
    { changedBy: 'planner-pat', reason: 'key account', before: { priority: STANDARD, fulfillmentPolicy: NOW }, after: { priority: EXPEDITED, fulfillmentPolicy: COMPLETE }, createTime: now },
    { changedBy: 'planner-pat', reason: 'split it after all', before: { priority: EXPEDITED, fulfillmentPolicy: COMPLETE }, after: { priority: EXPEDITED, fulfillmentPolicy: NOW }, createTime: now },
  ]);
  // a refused change leaves no trace
  await t.orders.cancelOrder({ orderId: placed.orderId, reason: 'gone' });
  await grpcError(update(placed, { priority: VIP }));
  expect(await query(t.databaseUrl, 'SELECT count(*)::int AS n FROM orders.order_change WHERE order_id = $1', [placed.orderId])).toEqual([{ n: 2 }]);
});

it('is idempotent by request id: a retry changes nothing more; the same id for another change is ALREADY_EXISTS', async () => {
  await product(t, 'UP-ONCE');
  const placed = (await order(t, [['UP-ONCE', 1]], { customer: 'up-once' })).order!;
  const request = { order: { orderId: placed.orderId, priority: VIP }, updateMask: ['priority'], reason: 'rush', requestId: 'up-once-1' };
  const first = await t.orders.updateOrder(request);
  const retry = await t.orders.updateOrder(request);
  expect(retry).toEqual(first);
  expect(await query(t.databaseUrl, 'SELECT count(*)::int AS n FROM orders.order_change WHERE order_id = $1', [placed.orderId])).toEqual([{ n: 1 }]);
  const other = await grpcError(t.orders.updateOrder({ ...request, order: { orderId: placed.orderId, priority: EXPEDITED } }));
  expect(other.code).toBe(status.ALREADY_EXISTS);
});

it('refuses a cancelled or fully shipped order with FAILED_PRECONDITION and a reason', async () => {
  await product(t, 'UP-DONE', { onHand: 5 });
  const cancelled = (await order(t, [['UP-DONE', 1]], { customer: 'up-done' })).order!;
  await t.orders.cancelOrder({ orderId: cancelled.orderId, reason: 'gone' });
  const shipped = (await order(t, [['UP-DONE', 1]], { customer: 'up-done' })).order!;
  await t.orders.shipOrder({ orderId: shipped.orderId, shipmentId: 'up-done-ship', carrier: 'DHL', trackingNumber: 'D-1' });
  const refusals = [await grpcError(update(cancelled, { priority: VIP })), await grpcError(update(shipped, { fulfillmentPolicy: COMPLETE }))];
  expect(refusals.map((e) => [e.code, e.reason])).toEqual([
    [status.FAILED_PRECONDITION, 'ORDER_CANCELLED'],
    [status.FAILED_PRECONDITION, 'ORDER_SHIPPED'],
  ]);
  expect((await grpcError(update({ ...shipped, orderId: 'ord-unknown' }, { priority: VIP }))).code).toBe(status.NOT_FOUND);
});

it('records READY_TO_SHIP when a policy change lets allocated units ship while others wait', async () => {
  await product(t, 'UP-HERE', { onHand: 1 });
  await product(t, 'UP-AWAY');
  const placed = (await order(t, [['UP-HERE', 1], ['UP-AWAY', 1]], { customer: 'up-split', policy: COMPLETE })).order!;
  expect(placed.readyToShipNow).toBe(false);
  const events = () => query<{ type: number }>(t.databaseUrl, 'SELECT type FROM orders.order_event WHERE order_id = $1 ORDER BY xid, event_id', [placed.orderId]);
  expect(await events()).toEqual([]);
  const { order: changed } = await update(placed, { fulfillmentPolicy: NOW });
  expect([changed!.readyToShipNow, changed!.status]).toEqual([true, OrderStatus.ORDER_STATUS_AWAITING_STOCK]);
  expect(await events()).toEqual([{ type: 1 }]);
  await update(placed, { priority: VIP }); // nothing new can ship: no second event
  expect(await events()).toEqual([{ type: 1 }]);
});

it('refuses a request without a mask, with unknown paths or values, or without a reason or request id', async () => {
  const fields = async (request: Parameters<TestApp['orders']['updateOrder']>[0]) => (await grpcError(t.orders.updateOrder(request))).violations.map((v) => v.field);
  expect(await fields({ order: { orderId: 'ord-x', priority: VIP }, reason: 'r', requestId: 'k' })).toEqual(['update_mask']);
  expect(await fields({ order: { orderId: 'ord-x' }, updateMask: ['priority', 'customer_id'], reason: 'r', requestId: 'k' })).toEqual(['update_mask.paths[1]', 'order.priority']);
  expect(await fields({ order: { orderId: 'ord-x', fulfillmentPolicy: 7 as FulfillmentPolicy }, updateMask: ['fulfillment_policy'], reason: '', requestId: '' })).toEqual(['reason', 'request_id', 'order.fulfillment_policy']);
  expect(await fields({ updateMask: ['priority'], reason: 'r', requestId: 'k' })).toEqual(['order']);
});
