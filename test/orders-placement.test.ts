import { status } from '@grpc/grpc-js';
import { Priority } from '../src/gen/restock/common/v1/priority';
import { EtaSource, OrderLineStatus, OrderStatus } from '../src/gen/restock/orders/v1/order';
import { placeOrders, type PlaceOrderInput } from '../src/orders/placement';
import { DomainError } from '../src/platform/errors';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { order, ordersDeps, outbox, product, settle } from './support/fixtures';
import { expectStockAgrees } from './support/invariants';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

describe('PlaceOrder', () => {
  it('reserves what is on hand and backorders the rest, with demand sent to Procurement through the outbox', async () => {
    await product(t, 'PL-A', { onHand: 5 });
    await product(t, 'PL-B', { onHand: 10 });
    const { order: placed } = await order(t, [['PL-A', 8], ['PL-B', 2]]);
    expect(placed!.status).toBe(OrderStatus.ORDER_STATUS_AWAITING_STOCK);
    expect(placed!.lines.map((l) => [l.sku, l.allocatedQuantity, l.backorderedQuantity, l.status])).toEqual([
      ['PL-A', 5, 3, OrderLineStatus.ORDER_LINE_STATUS_AWAITING_STOCK],
      ['PL-B', 2, 0, OrderLineStatus.ORDER_LINE_STATUS_ALLOCATED],
    ]);
    expect(placed!.lines[0].eta?.source).toBe(EtaSource.ETA_SOURCE_UNKNOWN);
    expect((await t.inventory.getStock({ sku: 'PL-A' })).stock).toMatchObject({ onHand: 5, reserved: 5 });
    const demand = await outbox(t, 'procurement.record-demand');
    expect(demand.map((d) => d.payload)).toEqual([{ demandId: placed!.lines[0].lineId, sku: 'PL-A', quantity: 3 }]);
    expect((await t.orders.getOrder({ orderId: placed!.orderId })).order).toEqual(placed);
    await expectStockAgrees(t, ['PL-A', 'PL-B']);
  });

  it('returns the same order for a retried request id and ALREADY_EXISTS for a different payload', async () => {
    await product(t, 'IDEM-1', { onHand: 10 });
    const first = await order(t, [['IDEM-1', 2]], { requestId: 'idem-req' });
    const [again, twin] = await Promise.all([order(t, [['IDEM-1', 2]], { requestId: 'idem-req' }), order(t, [['IDEM-1', 2]], { requestId: 'idem-req' })]);
    expect(again).toEqual(first);
    expect(twin).toEqual(first);
    const reused = await grpcError(order(t, [['IDEM-1', 3]], { requestId: 'idem-req' }));
    expect(reused.code).toBe(status.ALREADY_EXISTS);
    expect((await t.inventory.getStock({ sku: 'IDEM-1' })).stock?.reserved).toBe(2);
  });

  it('refuses the whole order with a reason per SKU and keeps nothing reserved', async () => {
    await product(t, 'REF-OK', { onHand: 10 });
    await product(t, 'REF-NOBO', { onHand: 1, acceptBackorders: false });
    await product(t, 'REF-DISC', { onHand: 0, discontinued: true });
    const one = await grpcError(order(t, [['REF-OK', 3], ['REF-NOBO', 2]]));
    expect([one.code, one.reason, one.metadata['REF-NOBO']]).toEqual([status.FAILED_PRECONDITION, 'BACKORDERS_NOT_ACCEPTED', 'BACKORDERS_NOT_ACCEPTED']);
    const two = await grpcError(order(t, [['REF-OK', 3], ['REF-NOBO', 2], ['REF-DISC', 1]]));
    expect([two.reason, two.metadata['REF-NOBO'], two.metadata['REF-DISC']]).toEqual(['INSUFFICIENT_STOCK', 'BACKORDERS_NOT_ACCEPTED', 'PRODUCT_DISCONTINUED']);
    for (const sku of ['REF-OK', 'REF-NOBO']) expect((await t.inventory.getStock({ sku })).stock?.reserved).toBe(0);
    expect((await t.orders.listOrders({ customerId: 'cust-1' })).orders.every((o) => !o.lines.some((l) => l.sku === 'REF-OK'))).toBe(true);
  });

  it('caps a customer backorders of a SKU across orders', async () => {
    await product(t, 'CAP-1', { maxPerCustomer: 5 });
    await order(t, [['CAP-1', 3]], { customer: 'cap-cust' });
    const over = await grpcError(order(t, [['CAP-1', 3]], { customer: 'cap-cust' }));
    expect([over.code, over.reason]).toEqual([status.FAILED_PRECONDITION, 'BACKORDER_LIMIT_EXCEEDED']);
    await order(t, [['CAP-1', 2]], { customer: 'cap-cust' });
    await order(t, [['CAP-1', 5]], { customer: 'other-cust' });
  });

  it('answers NOT_FOUND for an unknown SKU and leaves no order behind', async () => {
    const missing = await grpcError(order(t, [['NO-SUCH-SKU', 1]], { customer: 'nf-cust' }));
    expect(missing.code).toBe(status.NOT_FOUND);
    expect((await t.orders.listOrders({ customerId: 'nf-cust' })).orders).toEqual([]);
  });

  it('never lets a new line take stock while an older line of the same or higher priority waits (the FIFO gate)', async () => {
    await product(t, 'GATE-1');
    const { order: waiting } = await order(t, [['GATE-1', 2]]);
    await t.inventory.adjustStock({ requestId: 'gate-found', sku: 'GATE-1', delta: 1, reason: 'found' }); // announced, not yet allocated
    const { order: newer } = await order(t, [['GATE-1', 1]]);
    expect(newer!.lines[0]).toMatchObject({ allocatedQuantity: 0, backorderedQuantity: 1 });
    const { order: vip } = await order(t, [['GATE-1', 1]], { priority: Priority.PRIORITY_VIP });
    expect(vip!.lines[0]).toMatchObject({ allocatedQuantity: 1, backorderedQuantity: 0 });
    await t.inventory.adjustStock({ requestId: 'gate-found-2', sku: 'GATE-1', delta: 2, reason: 'found' });
    await settle(t);
    expect((await t.orders.getOrder({ orderId: waiting!.orderId })).order?.lines[0].allocatedQuantity).toBe(2);
    expect((await t.orders.getOrder({ orderId: newer!.orderId })).order?.lines[0].allocatedQuantity).toBe(0);
    await expectStockAgrees(t, ['GATE-1']);
  });
});

describe('placement in batches (orders arriving together are placed together)', () => {
  const deps = () => ordersDeps(t);
  const input = (requestId: string, lines: [string, number][], customerId = 'batch-cust'): PlaceOrderInput => ({
    requestId,
    customerId,
    customerEmail: `${customerId}@example.com`,
    priority: Priority.PRIORITY_STANDARD,
    fulfillmentPolicy: 1,
    lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
  });
  const placed = (result: PromiseSettledResult<unknown>) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof t.orders.getOrder>>['order']>).value!;
  const refusal = (result: PromiseSettledResult<unknown>) => (result as PromiseRejectedResult).reason as DomainError;

  it('serves a batch in arrival order, each order succeeding or failing on its own', async () => {
    await product(t, 'BAT-A', { onHand: 3 });
    const [first, ghost, last] = await placeOrders(deps(), [input('bat-1', [['BAT-A', 2]]), input('bat-2', [['BAT-GHOST', 1]]), input('bat-3', [['BAT-A', 2]])]);
    expect(placed(first).lines.map((l) => [l.allocatedQuantity, l.backorderedQuantity])).toEqual([[2, 0]]);
    expect(refusal(ghost).kind).toBe('NOT_FOUND');
    expect(placed(last).lines.map((l) => [l.allocatedQuantity, l.backorderedQuantity])).toEqual([[1, 1]]);
    expect((await t.orders.getOrder({ orderId: placed(last).orderId })).order).toEqual(placed(last));
    expect((await t.orders.listOrders({ customerId: 'batch-cust' })).orders.map((o) => o.orderId).sort()).toEqual([placed(first).orderId, placed(last).orderId].sort());
    expect((await t.inventory.getStock({ sku: 'BAT-A' })).stock).toMatchObject({ onHand: 3, reserved: 3 });
    await settle(t);
    await expectStockAgrees(t, ['BAT-A']);
  });

  it('places a later order as if after a refused one, when the refused order gave back stock it lacked', async () => {
    await product(t, 'BAT-X', { onHand: 2, acceptBackorders: false });
    await product(t, 'BAT-Y', { acceptBackorders: false });
    // the first order takes both X, then is refused for Y and gives them back; the second must get them
    const [refused, second] = await placeOrders(deps(), [input('bat-x1', [['BAT-X', 2], ['BAT-Y', 1]]), input('bat-x2', [['BAT-X', 2]])]);
    expect(refusal(refused).reason).toBe('BACKORDERS_NOT_ACCEPTED');
    expect(placed(second).lines.map((l) => [l.sku, l.allocatedQuantity, l.backorderedQuantity])).toEqual([['BAT-X', 2, 0]]);
    expect((await t.inventory.getStock({ sku: 'BAT-X' })).stock).toMatchObject({ onHand: 2, reserved: 2 });
    await settle(t);
    await expectStockAgrees(t, ['BAT-X', 'BAT-Y']);
  });

  it('counts a customer backorders placed earlier in the same batch against the per-customer cap', async () => {
    await product(t, 'BAT-CAP', { maxPerCustomer: 5 });
    const [first, second, other] = await placeOrders(deps(), [
      input('bat-cap-1', [['BAT-CAP', 3]], 'capped'),
      input('bat-cap-2', [['BAT-CAP', 3]], 'capped'),
      input('bat-cap-3', [['BAT-CAP', 3]], 'someone-else'),
    ]);
    expect(placed(first).lines[0].backorderedQuantity).toBe(3);
    expect(refusal(second).reason).toBe('BACKORDER_LIMIT_EXCEEDED');
    expect(placed(other).lines[0].backorderedQuantity).toBe(3);
  });

  it('reads what each customer of a batch already waits for as that customer\'s own, against the per-customer cap', async () => {
    await product(t, 'BAT-CAP2', { maxPerCustomer: 5 });
    await product(t, 'BAT-CAP3', { maxPerCustomer: 5 });
    await placeOrders(deps(), [input('bat-cap2-0', [['BAT-CAP2', 3]], 'waits-3'), input('bat-cap2-1', [['BAT-CAP2', 1], ['BAT-CAP3', 4]], 'waits-1')]);
    const [three, one, otherSku] = await placeOrders(deps(), [
      input('bat-cap2-2', [['BAT-CAP2', 3]], 'waits-3'), // 3 + 3 > 5
      input('bat-cap2-3', [['BAT-CAP2', 3]], 'waits-1'), // 1 + 3 ≤ 5
      input('bat-cap2-4', [['BAT-CAP3', 2]], 'waits-1'), // 4 + 2 > 5
    ]);
    expect(refusal(three).reason).toBe('BACKORDER_LIMIT_EXCEEDED');
    expect(placed(one).lines[0].backorderedQuantity).toBe(3);
    expect(refusal(otherSku).reason).toBe('BACKORDER_LIMIT_EXCEEDED');
  });

  it('answers a request id sent twice in one batch with one order, and another payload with ALREADY_EXISTS', async () => {
    await product(t, 'BAT-D', { onHand: 10 });
    const [one, again, other] = await placeOrders(deps(), [input('bat-dup', [['BAT-D', 4]]), input('bat-dup', [['BAT-D', 4]]), input('bat-dup', [['BAT-D', 5]])]);
    expect(placed(again)).toEqual(placed(one));
    expect(refusal(other).kind).toBe('ALREADY_EXISTS');
    expect((await t.inventory.getStock({ sku: 'BAT-D' })).stock?.reserved).toBe(4);
  });
});

describe('ListOrders', () => {
  it('pages through a customer orders, newest first', async () => {
    await product(t, 'LIST-1', { onHand: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await order(t, [['LIST-1', 1]], { customer: 'lister' })).order!.orderId);
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await t.orders.listOrders({ customerId: 'lister', pageSize: 2, pageToken });
      expect(page.orders.length).toBeLessThanOrEqual(2);
      seen.push(...page.orders.map((o) => o.orderId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([...ids].reverse());
  });
});
