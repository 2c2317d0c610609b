import { status } from '@grpc/grpc-js';
import { Priority } from '../src/gen/restock/common/v1/priority';
import { FulfillmentPolicy, OrderLineStatus, OrderStatus } from '../src/gen/restock/orders/v1/order';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { order, outbox, product, settle } from './support/fixtures';
import { expectStockAgrees } from './support/invariants';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

const { PRIORITY_STANDARD: STD, PRIORITY_EXPEDITED: EXP, PRIORITY_VIP: VIP } = Priority;

// Each case: waiting lines placed in this order (priority, units), then receipts; expected grants per receipt
// as [index of the waiting line, units], and what stays free.
const FIFO_CASES: { name: string; queue: [Priority, number][]; receipts: { quantity: number; grants: [number, number][]; free: number }[] }[] = [
  {
    name: 'one class: order time decides, partial fills carry over',
    queue: [[STD, 3], [STD, 2], [STD, 4]],
    receipts: [
      { quantity: 4, grants: [[0, 3], [1, 1]], free: 0 },
      { quantity: 2, grants: [[1, 1], [2, 1]], free: 0 },
      { quantity: 5, grants: [[2, 3]], free: 2 },
    ],
  },
  {
    name: 'VIP before EXPEDITED before STANDARD, whatever the order time',
    queue: [[STD, 3], [VIP, 2], [EXP, 4], [STD, 1], [VIP, 1]],
    receipts: [
      { quantity: 4, grants: [[1, 2], [4, 1], [2, 1]], free: 0 },
      { quantity: 3, grants: [[2, 3]], free: 0 },
      { quantity: 10, grants: [[0, 3], [3, 1]], free: 6 },
    ],
  },
  {
    name: 'a receipt smaller than the first line fills it partially',
    queue: [[EXP, 10], [EXP, 1]],
    receipts: [
      { quantity: 1, grants: [[0, 1]], free: 0 },
      { quantity: 9, grants: [[0, 9]], free: 0 },
      { quantity: 1, grants: [[1, 1]], free: 0 },
    ],
  },
];

describe('FIFO allocation by ApplyReceipt', () => {
  it.each(FIFO_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, fifo, i) => {
    const sku = `FIFO-${i}`;
    await product(t, sku);
    const lines: { orderId: string; lineId: string }[] = [];
    for (const [priority, quantity] of fifo.queue) {
      const { order: placed } = await order(t, [[sku, quantity]], { priority, customer: `fifo-${i}` });
      lines.push({ orderId: placed!.orderId, lineId: placed!.lines[0].lineId });
    }
    for (const [r, receipt] of fifo.receipts.entries()) {
      const applied = await t.orders.applyReceipt({ receiptId: `${sku}-r${r}`, sku, quantity: receipt.quantity });
      expect(applied.allocations).toEqual(receipt.grants.map(([line, quantity]) => ({ ...lines[line], quantity })));
      expect(applied.unallocatedQuantity).toBe(receipt.free);
    }
    const { stock } = await t.inventory.getStock({ sku });
    expect(stock!.available).toBe(fifo.receipts.reduce((sum, r) => sum + r.free, 0));
    await expectStockAgrees(t, [sku]);
  });

  it('applies a receipt once: a retry returns the first allocations, other content is ALREADY_EXISTS', async () => {
    await product(t, 'ONCE-1');
    const { order: placed } = await order(t, [['ONCE-1', 3]]);
    const first = await t.orders.applyReceipt({ receiptId: 'once-r', sku: 'ONCE-1', quantity: 5 });
    const again = await t.orders.applyReceipt({ receiptId: 'once-r', sku: 'ONCE-1', quantity: 5 });
    expect(again).toEqual(first);
    expect(first).toEqual({ allocations: [{ orderId: placed!.orderId, lineId: placed!.lines[0].lineId, quantity: 3 }], unallocatedQuantity: 2 });
    expect((await t.inventory.getStock({ sku: 'ONCE-1' })).stock).toMatchObject({ onHand: 5, reserved: 3 });
    expect((await grpcError(t.orders.applyReceipt({ receiptId: 'once-r', sku: 'ONCE-1', quantity: 6 }))).code).toBe(status.ALREADY_EXISTS);
    // receipt units are the demand's own supply: nothing is taken off the supplier buffer
    expect((await outbox(t, 'procurement.cancel-demand')).filter((m) => m.payload.demandId === placed!.lines[0].lineId)).toEqual([]);
    expect((await t.orders.getOrder({ orderId: placed!.orderId })).order?.status).toBe(OrderStatus.ORDER_STATUS_READY_TO_SHIP);
  });

  it('allocates free stock from adjustments through AllocateStock and takes that demand off the buffer', async () => {
    await product(t, 'ADJ-ALLOC');
    const { order: placed } = await order(t, [['ADJ-ALLOC', 4]]);
    await t.inventory.adjustStock({ requestId: 'adj-alloc-1', sku: 'ADJ-ALLOC', delta: 3, reason: 'found' });
    await settle(t);
    const line = (await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines[0];
    expect([line.allocatedQuantity, line.backorderedQuantity]).toEqual([3, 1]);
    const cancels = (await outbox(t, 'procurement.cancel-demand')).filter((m) => m.payload.demandId === line.lineId);
    expect(cancels.map((m) => m.payload.quantity)).toEqual([3]);
    expect(cancels[0].payload.requestId).toMatch(/^alloc:\d+$/);
    await expectStockAgrees(t, ['ADJ-ALLOC']);
  });
});

describe('CancelOrder / CancelOrderLine', () => {
  it('cancels waiting units first, keeps the reason, and gives released units to waiting lines', async () => {
    await product(t, 'CXL-1', { onHand: 4 });
    const { order: early } = await order(t, [['CXL-1', 6]]); // 4 reserved, 2 waiting
    const { order: late } = await order(t, [['CXL-1', 3]]); // 3 waiting
    const { order: afterLine } = await t.orders.cancelOrderLine({ orderId: early!.orderId, lineId: early!.lines[0].lineId, quantity: 3, reason: 'changed my mind' });
    expect(afterLine!.lines[0]).toMatchObject({ allocatedQuantity: 3, backorderedQuantity: 0, cancelledQuantity: 3, status: OrderLineStatus.ORDER_LINE_STATUS_ALLOCATED });
    const demandCancels = (await outbox(t, 'procurement.cancel-demand')).filter((m) => m.payload.demandId === early!.lines[0].lineId);
    expect(demandCancels.map((m) => m.payload.quantity)).toEqual([2]);
    await settle(t); // the released unit reaches the waiting line through Inventory -> AllocateStock
    expect((await t.orders.getOrder({ orderId: late!.orderId })).order!.lines[0]).toMatchObject({ allocatedQuantity: 1, backorderedQuantity: 2 });

    const { order: cancelled } = await t.orders.cancelOrder({ orderId: late!.orderId, reason: 'too slow' });
    expect([cancelled!.status, cancelled!.cancelReason, cancelled!.lines[0].cancelledQuantity]).toEqual([OrderStatus.ORDER_STATUS_CANCELLED, 'too slow', 3]);
    expect((await t.orders.cancelOrder({ orderId: late!.orderId, reason: 'again' })).order).toEqual(cancelled);
    await settle(t);
    await expectStockAgrees(t, ['CXL-1']);
    expect((await t.inventory.getStock({ sku: 'CXL-1' })).stock).toMatchObject({ onHand: 4, reserved: 3 });
  });

  it('cancels once per request id: a retried partial cancel, even sent twice at once, cancels nothing more', async () => {
    await product(t, 'CXL-RETRY', { onHand: 10 });
    const { order: placed } = await order(t, [['CXL-RETRY', 6]]);
    const cancel = { orderId: placed!.orderId, lineId: placed!.lines[0].lineId, quantity: 2, reason: 'two fewer', requestId: 'cxl-retry-1' };
    const [first, twin] = await Promise.all([t.orders.cancelOrderLine(cancel), t.orders.cancelOrderLine(cancel)]);
    const retried = await t.orders.cancelOrderLine(cancel);
    for (const answer of [first, twin, retried]) expect(answer.order!.lines[0]).toMatchObject({ allocatedQuantity: 4, cancelledQuantity: 2 });
    const reused = await grpcError(t.orders.cancelOrderLine({ ...cancel, quantity: 1 }));
    expect(reused.code).toBe(status.ALREADY_EXISTS);
    // without a request id each call is a new cancellation
    await t.orders.cancelOrderLine({ ...cancel, requestId: '' });
    expect((await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines[0]).toMatchObject({ allocatedQuantity: 2, cancelledQuantity: 4 });
    const whole = { orderId: placed!.orderId, reason: 'all of it', requestId: 'cxl-retry-2' };
    await t.orders.cancelOrder(whole);
    expect((await t.orders.cancelOrder(whole)).order!.lines[0]).toMatchObject({ allocatedQuantity: 0, cancelledQuantity: 6 });
    expect((await outbox(t, 'email')).filter((m) => m.dedupeKey.startsWith(`cancelled:${placed!.orderId}:`))).toHaveLength(3);
    await settle(t);
    await expectStockAgrees(t, ['CXL-RETRY']);
    expect((await t.inventory.getStock({ sku: 'CXL-RETRY' })).stock).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it('refuses to cancel shipped units or more than is open', async () => {
    await product(t, 'CXL-SHIP', { onHand: 5 });
    const { order: placed } = await order(t, [['CXL-SHIP', 2]]);
    const lineId = placed!.lines[0].lineId;
    expect((await grpcError(t.orders.cancelOrderLine({ orderId: placed!.orderId, lineId, quantity: 3, reason: 'x' }))).reason).toBe('QUANTITY_EXCEEDS_OPEN');
    await t.orders.shipOrder({ orderId: placed!.orderId, shipmentId: 'cxl-ship-1', carrier: 'DHL', trackingNumber: 'T1' });
    const line = await grpcError(t.orders.cancelOrderLine({ orderId: placed!.orderId, lineId, quantity: 0, reason: 'late' }));
    expect([line.code, line.reason]).toEqual([status.FAILED_PRECONDITION, 'LINE_SHIPPED']);
    const whole = await grpcError(t.orders.cancelOrder({ orderId: placed!.orderId, reason: 'late' }));
    expect([whole.code, whole.reason]).toEqual([status.FAILED_PRECONDITION, 'ORDER_SHIPPED']);
  });
});

describe('ShipOrder', () => {
  it('ships what is allocated (SHIP_AVAILABLE_NOW), consumes reservations, and is idempotent by shipment id', async () => {
    await product(t, 'SHIP-A', { onHand: 3 });
    const { order: placed } = await order(t, [['SHIP-A', 5]]);
    const ship = { orderId: placed!.orderId, shipmentId: 'ship-a-1', carrier: 'UPS', trackingNumber: '1Z999' };
    const { order: shipped } = await t.orders.shipOrder(ship);
    expect(shipped!.lines[0]).toMatchObject({ shippedQuantity: 3, allocatedQuantity: 0, backorderedQuantity: 2, status: OrderLineStatus.ORDER_LINE_STATUS_PARTIALLY_SHIPPED });
    expect(shipped!.status).toBe(OrderStatus.ORDER_STATUS_PARTIALLY_SHIPPED);
    expect((await t.orders.shipOrder(ship)).order).toEqual(shipped);
    expect((await grpcError(t.orders.shipOrder({ ...ship, trackingNumber: 'other' }))).code).toBe(status.ALREADY_EXISTS);
    await settle(t);
    expect((await t.inventory.getStock({ sku: 'SHIP-A' })).stock).toMatchObject({ onHand: 0, reserved: 0 });
    expect((await grpcError(t.orders.shipOrder({ ...ship, shipmentId: 'ship-a-2' }))).reason).toBe('ORDER_NOT_READY');
    await t.orders.applyReceipt({ receiptId: 'ship-a-r', sku: 'SHIP-A', quantity: 2 });
    const { order: done } = await t.orders.shipOrder({ ...ship, shipmentId: 'ship-a-3' });
    expect(done!.status).toBe(OrderStatus.ORDER_STATUS_SHIPPED);
  });

  it('waits for every line under SHIP_COMPLETE', async () => {
    await product(t, 'SC-A', { onHand: 2 });
    await product(t, 'SC-B');
    const { order: placed } = await order(t, [['SC-A', 2], ['SC-B', 1]], { policy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_COMPLETE });
    const refused = await grpcError(t.orders.shipOrder({ orderId: placed!.orderId, shipmentId: 'sc-1', carrier: 'DHL', trackingNumber: 'X' }));
    expect([refused.code, refused.reason]).toEqual([status.FAILED_PRECONDITION, 'ORDER_NOT_READY']);
    await t.orders.applyReceipt({ receiptId: 'sc-r', sku: 'SC-B', quantity: 1 });
    const { order: shipped } = await t.orders.shipOrder({ orderId: placed!.orderId, shipmentId: 'sc-1', carrier: 'DHL', trackingNumber: 'X' });
    expect(shipped!.lines.map((l) => l.shippedQuantity)).toEqual([2, 1]);
    await settle(t);
    await expectStockAgrees(t, ['SC-A', 'SC-B']);
  });
});
