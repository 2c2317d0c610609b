import { Priority } from '../src/gen/restock/common/v1/priority';
import { OrderLineStatus } from '../src/gen/restock/orders/v1/order';
import { placeOrders, type PlaceOrderInput } from '../src/orders/placement';
import { query } from './support/db';
import { order, ordersDeps, product } from './support/fixtures';
import { startTestApp, type TestApp } from './support/harness';

const ORDER_ID = /^ord-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const randomPartOf = (orderId: string) => orderId.replace(/-/g, '').slice(-19);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

describe('order ids', () => {
  it('are ord- and a UUIDv7: consecutive orders neither count up nor share their random bits, yet sort as placed', async () => {
    await product(t, 'PID-1', { onHand: 10 });
    const first = (await order(t, [['PID-1', 1]])).order!;
    const second = (await order(t, [['PID-1', 1], ['PID-1', 2]])).order!;
    expect(first.orderId).toMatch(ORDER_ID);
    expect(second.orderId).toMatch(ORDER_ID);
    expect(randomPartOf(second.orderId)).not.toBe(randomPartOf(first.orderId));
    expect(BigInt(`0x${randomPartOf(second.orderId)}`) - BigInt(`0x${randomPartOf(first.orderId)}`)).not.toBe(1n);
    expect(first.orderId < second.orderId).toBe(true);
    expect(second.lines.map((l) => l.lineId)).toEqual([`${second.orderId}-001`, `${second.orderId}-002`]);
  });

  it('keep a batch placed together queued in arrival order', async () => {
    await product(t, 'PID-Q');
    const input = (i: number): PlaceOrderInput => ({
      requestId: `pid-q-${i}`,
      customerId: `pid-q-${i}`,
      customerEmail: `pid-q-${i}@example.com`,
      priority: Priority.PRIORITY_STANDARD,
      fulfillmentPolicy: 1,
      lines: [{ sku: 'PID-Q', quantity: 1 }],
    });
    const results = await placeOrders(ordersDeps(t), Array.from({ length: 8 }, (_, i) => input(i)));
    const ids = results.map((r) => (r as PromiseFulfilledResult<{ orderId: string }>).value.orderId);
    expect([...ids].sort()).toEqual(ids);
    const { backorders } = await t.orders.listBackorders({ sku: 'PID-Q' });
    expect(backorders.map((b) => b.orderId)).toEqual(ids);
  });
});

describe('an order written with an old sequential id', () => {
  const OLD = 'ord-000000000042';

  beforeAll(async () => {
    await product(t, 'PID-OLD');
    await query(
      t.databaseUrl,
      `INSERT INTO orders.customer_order (order_id, request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, placement, create_time)
       VALUES ($1, 'pid-old-req', 'old-hash', 'pid-old', 'pid-old@example.com', 1, 1, 'placed', now() - interval '1 day')`,
      [OLD],
    );
    await query(
      t.databaseUrl,
      `INSERT INTO orders.order_line (line_id, order_id, line_number, sku, quantity, to_reserve, backordered, initially_backordered, pending, priority,
         queue_time, customer_id, unit_price, currency_code)
       VALUES ($1 || '-001', $1, 1, 'PID-OLD', 2, 0, 2, 2, false, 1, now() - interval '1 day', 'pid-old', 10, 'EUR')`,
      [OLD],
    );
  });

  it('is still read, listed and queued ahead of newer orders', async () => {
    const { order: old } = await t.orders.getOrder({ orderId: OLD });
    expect(old!.lines.map((l) => [l.lineId, l.backorderedQuantity])).toEqual([[`${OLD}-001`, 2]]);
    const newer = (await order(t, [['PID-OLD', 1]], { customer: 'pid-old' })).order!;
    expect((await t.orders.listOrders({ customerId: 'pid-old' })).orders.map((o) => o.orderId)).toEqual([newer.orderId, OLD]);
    expect((await t.orders.listBackorders({ sku: 'PID-OLD' })).backorders.map((b) => b.orderId)).toEqual([OLD, newer.orderId]);
  });

  it('can still be cancelled by its id', async () => {
    const { order: cancelled } = await t.orders.cancelOrder({ orderId: OLD, reason: 'changed my mind', requestId: 'pid-old-cancel' });
    expect(cancelled!.lines.map((l) => [l.cancelledQuantity, l.status])).toEqual([[2, OrderLineStatus.ORDER_LINE_STATUS_CANCELLED]]);
  });
});
