import type { Order } from '../src/gen/restock/orders/v1/order';
import { placeOrders } from '../src/orders/placement';
import { applyReceipt } from '../src/orders/receipts';
import type { Peers } from '../src/platform/service-module';
import { startTestApp, waitFor, type TestApp } from './support/harness';
import { order, ordersDeps, product, settle } from './support/fixtures';
import { expectStockAgrees } from './support/invariants';

// Placement and allocation hold a SKU's lock across their Inventory calls. A slow Inventory must then
// hold up that SKU only: calls on other SKUs go ahead, and the slow call's result stays right.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

/** Inventory as t's process reaches it, except that calls naming sku wait until open() (and are recorded). */
function slowInventoryFor(sku: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const held: { method: string; request: any }[] = [];
  const real = t.app.peers.inventory as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const inventory = new Proxy(real, {
    get: (target, method: string) => async (request: unknown, options?: unknown) => {
      if (JSON.stringify(request).includes(`"${sku}"`)) {
        held.push({ method, request });
        await gate;
      }
      return target[method](request, options);
    },
  });
  const peers: Peers = { inventory: inventory as unknown as Peers['inventory'], orders: t.app.peers.orders, procurement: t.app.peers.procurement };
  return { deps: ordersDeps(t, peers), held, open };
}

/** Resolves to the settled answers, recording in done the order in which they settled. */
function track<T>(name: string, call: Promise<T>, done: string[]): Promise<T> {
  return call.finally(() => done.push(name));
}

it('a receipt waiting on a slow Inventory holds up its own SKU only, and allocates the receipt once, FIFO', async () => {
  await product(t, 'SLOW-R');
  await product(t, 'FAST-R', { onHand: 5 });
  const { order: waiting } = await order(t, [['SLOW-R', 3]], { customer: 'slow-first' });
  await order(t, [['FAST-R', 4]], { customer: 'fast-waiting' }); // 4 of 5 reserved
  const slow = slowInventoryFor('SLOW-R');
  const done: string[] = [];

  const receipt = track('slow receipt', applyReceipt(slow.deps, { receiptId: 'slow-r1', sku: 'SLOW-R', quantity: 3 }), done);
  await waitFor(() => slow.held.length > 0, { what: 'the receipt to reach Inventory' });
  const sameSku = track('order on the slow SKU', order(t, [['SLOW-R', 2]], { customer: 'slow-second' }), done);
  const { order: fast } = await track('order on another SKU', order(t, [['FAST-R', 3]], { customer: 'fast-new' }), done);
  const fastReceipt = await track('receipt of another SKU', t.orders.applyReceipt({ receiptId: 'fast-r1', sku: 'FAST-R', quantity: 2 }), done);
  expect(done).toEqual(['order on another SKU', 'receipt of another SKU']); // the slow receipt, and the order behind it on its SKU, still wait

  slow.open();
  const applied = await receipt;
  const { order: second } = await sameSku;
  expect(done.slice(2)).toEqual(['slow receipt', 'order on the slow SKU']);
  expect(slow.held.map((call) => call.method)).toEqual(['receiveStock', 'getStock', 'reserveStock']);
  expect(slow.held[0].request).toMatchObject({ receiptId: 'slow-r1', callerAllocates: true });
  expect(applied).toEqual({ allocations: [{ orderId: waiting!.orderId, lineId: waiting!.lines[0].lineId, quantity: 3 }], unallocatedQuantity: 0 });
  expect(second!.lines[0]).toMatchObject({ allocatedQuantity: 0, backorderedQuantity: 2 });
  expect(fast!.lines[0]).toMatchObject({ allocatedQuantity: 1, backorderedQuantity: 2 });
  expect(fastReceipt.allocations).toEqual([{ orderId: fast!.orderId, lineId: fast!.lines[0].lineId, quantity: 2 }]);
  await settle(t);
  await expectStockAgrees(t, ['SLOW-R', 'FAST-R']);
});

it('a placement waiting on a slow Inventory holds up its own SKU only, and places its order right', async () => {
  await product(t, 'SLOW-P', { onHand: 2 });
  await product(t, 'FAST-P', { onHand: 2 });
  const slow = slowInventoryFor('SLOW-P');
  const done: string[] = [];
  const input = { requestId: 'slow-p1', customerId: 'slow-p', customerEmail: 'slow-p@example.com', priority: 1, fulfillmentPolicy: 1, lines: [{ sku: 'SLOW-P', quantity: 3 }] };

  const placing = track('slow order', placeOrders(slow.deps, [input]), done);
  await waitFor(() => slow.held.length > 0, { what: 'the placement to reach Inventory' });
  const { order: other } = await track('order on another SKU', order(t, [['FAST-P', 1]], { customer: 'fast-p' }), done);
  expect(done).toEqual(['order on another SKU']);
  expect(other!.lines[0]).toMatchObject({ allocatedQuantity: 1, backorderedQuantity: 0 });

  slow.open();
  const [result] = await placing;
  expect(slow.held[0].method).toBe('batchReserveStock');
  expect((result as PromiseFulfilledResult<Order>).value.lines[0]).toMatchObject({ allocatedQuantity: 2, backorderedQuantity: 1 });
  await settle(t);
  await expectStockAgrees(t, ['SLOW-P', 'FAST-P']);
});
