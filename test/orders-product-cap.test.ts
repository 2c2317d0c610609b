import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { order, product, settle } from './support/fixtures';
import { expectOrdersInvariants } from './support/invariants';

// A cap per product on the units that may wait at once, across customers, beside the per-customer cap.
let t: TestApp;
let other: TestApp; // a second process on the same database: the cap holds across replicas
beforeAll(async () => {
  t = await startTestApp({ background: false });
  other = await startTestApp({ background: false, databaseUrl: t.databaseUrl });
});
afterAll(async () => {
  await other.stop();
  await t.stop();
});

async function cappedProduct(sku: string, total: number, { onHand = 0, perCustomer = 0 } = {}) {
  await product(t, sku, { onHand });
  await t.inventory.upsertProduct({
    product: {
      sku,
      name: `Product ${sku}`,
      unitPrice: { currencyCode: 'EUR', units: 10, nanos: 0 },
      backorderPolicy: { acceptBackorders: true, maxBackorderQuantityPerCustomer: perCustomer, maxBackorderQuantityTotal: total },
    },
  });
}

it('lets no more units wait than the cap when orders race for it from two processes', async () => {
  await cappedProduct('CAP-A', 5);
  expect((await t.inventory.getProduct({ sku: 'CAP-A' })).product!.backorderPolicy!.maxBackorderQuantityTotal).toBe(5);
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) => order(i % 2 === 0 ? t : other, [['CAP-A', 1]], { customer: `racer-${i}`, requestId: `cap-race-${i}` })),
  );
  const placed = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(placed).toHaveLength(5);
  expect(refused.map((r) => r.reason.code)).toEqual(Array(7).fill(status.FAILED_PRECONDITION));
  const { metrics } = await t.orders.getBackorderMetrics({ sku: 'CAP-A' });
  expect([metrics!.openBackorderLines, metrics!.openBackorderUnits]).toEqual([5, 5]);

  const again = await grpcError(order(t, [['CAP-A', 1]], { customer: 'late' }));
  expect([again.code, again.reason, again.metadata['CAP-A']]).toEqual([status.FAILED_PRECONDITION, 'PRODUCT_BACKORDER_LIMIT_EXCEEDED', 'PRODUCT_BACKORDER_LIMIT_EXCEEDED']);
  expect(again.details).toContain('CAP-A: PRODUCT_BACKORDER_LIMIT_EXCEEDED (1 short)');

  // A waiting unit cancelled makes room for one.
  const first = (placed[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof order>>>).value.order!;
  await t.orders.cancelOrderLine({ orderId: first.orderId, lineId: first.lines[0].lineId, quantity: 0, reason: 'changed my mind' });
  await expect(order(t, [['CAP-A', 1]], { customer: 'late' })).resolves.toBeDefined();
  await settle(t);
  await expectOrdersInvariants(t, 'CAP-A');
});

it('counts only waiting units, and the per-customer cap still answers for its own customer', async () => {
  await cappedProduct('CAP-B', 3, { onHand: 2 });
  const { order: big } = await order(t, [['CAP-B', 5]], { customer: 'cb1' }); // 2 reserved, 3 wait: exactly the cap
  expect([big!.lines[0].allocatedQuantity, big!.lines[0].backorderedQuantity]).toEqual([2, 3]);
  expect((await grpcError(order(t, [['CAP-B', 1]], { customer: 'cb2' }))).reason).toBe('PRODUCT_BACKORDER_LIMIT_EXCEEDED');

  await cappedProduct('CAP-C', 3, { perCustomer: 2 });
  expect((await grpcError(order(t, [['CAP-C', 3]], { customer: 'cc1' }))).reason).toBe('BACKORDER_LIMIT_EXCEEDED');
  await order(t, [['CAP-C', 2]], { customer: 'cc1' });
  expect((await grpcError(order(t, [['CAP-C', 2]], { customer: 'cc2' }))).reason).toBe('PRODUCT_BACKORDER_LIMIT_EXCEEDED');

  const negative = await grpcError(
    t.inventory.upsertProduct({
      product: { sku: 'CAP-D', name: 'd', unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 }, backorderPolicy: { acceptBackorders: true, maxBackorderQuantityTotal: -1 } },
    }),
  );
  expect([negative.code, negative.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['product.backorder_policy.max_backorder_quantity_total']]);
});
