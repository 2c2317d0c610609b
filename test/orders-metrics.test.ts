import { startTestApp, type TestApp } from './support/harness';
import { order, product, settleAll } from './support/fixtures';
import { eur, supplierOf } from './support/procurement-fixtures';

let t: TestApp;
let now = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => {
  now = new Date(Date.UTC(2026, 0, 1) + days * 86_400_000);
};

beforeAll(async () => {
  t = await startTestApp({ background: false, clock: { now: () => now } });
});
afterAll(() => t.stop());

it('computes the backorder KPIs of a hand-checked history', async () => {
  await product(t, 'M-A', { onHand: 2, price: 10 });
  await product(t, 'M-B', { price: 4 });
  await product(t, 'M-C', { onHand: 100, price: 1 });

  at(0);
  await order(t, [['M-A', 5]]); // L1: 2 reserved, 3 backordered
  at(0.5);
  await order(t, [['M-C', 1]]); // L2: in stock
  at(1);
  const { order: o3 } = await order(t, [['M-B', 4]]); // L3: 4 backordered
  at(2);
  const { order: o4 } = await order(t, [['M-B', 2], ['M-C', 2]]); // L4: 2 backordered, L5: in stock
  at(3);
  await t.orders.applyReceipt({ receiptId: 'm-a', sku: 'M-A', quantity: 3 }); // L1 filled after 3 days
  at(4.5);
  await t.orders.applyReceipt({ receiptId: 'm-b', sku: 'M-B', quantity: 4 }); // L3 filled after 3.5 days
  at(5);
  await t.orders.cancelOrderLine({ orderId: o4!.orderId, lineId: o4!.lines[0].lineId, quantity: 1, reason: 'fewer' }); // L4: 1 waiting unit cancelled
  at(6);
  const { metrics } = await t.orders.getBackorderMetrics({});
  expect(o3!.lines[0].backorderedQuantity).toBe(4);
  expect(metrics).toEqual({
    backorderRate: 3 / 5, // L1, L3, L4 of 5 lines
    openBackorderLines: 1, // L4
    openBackorderUnits: 1,
    openBackorderValue: { currencyCode: 'EUR', units: 4, nanos: 0 }, // 1 x 4 EUR
    openBackorderValues: [{ currencyCode: 'EUR', units: 4, nanos: 0 }],
    oldestBackorderAgeDays: 4, // L4 placed on day 2, now day 6
    meanFillTimeDays: (3 + 3.5) / 2,
    p90FillTimeDays: 3 + 0.9 * 0.5, // continuous percentile of [3, 3.5]
    cancelRate: 1 / 9, // 1 of 3 + 4 + 2 backordered units
    shareExpectedWithin7Days: 0, // no forecast covers L4
    orderBackorderRate: 3 / 4, // orders 1, 3 and 4 of 4 had a line backordered at placement
    openBackorderedOrders: 1, // order 4
  });
});

it('reports open backorder value per currency, never summed across currencies', async () => {
  await product(t, 'M-USD', { price: 7, currency: 'USD' });
  await order(t, [['M-USD', 3]]); // 3 x 7 USD waiting, beside L4's 1 x 4 EUR
  const { metrics } = await t.orders.getBackorderMetrics({});
  expect(metrics!.openBackorderValues).toEqual([
    { currencyCode: 'EUR', units: 4, nanos: 0 },
    { currencyCode: 'USD', units: 21, nanos: 0 },
  ]);
  expect(metrics!.openBackorderValue).toBeUndefined();
});

it('counts the ETAs from now to 7 days ahead as expected within 7 days, not those already past', async () => {
  at(10);
  await product(t, 'M-E', { price: 5 });
  await t.procurement.upsertSupplier({ supplier: supplierOf('M-SUP') });
  await t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'M-SUP', sku: 'M-E', supplierSku: 'ME', unitCost: eur(200), packSize: 1 } });
  await order(t, [['M-E', 3]]);
  await order(t, [['M-E', 1]]);
  await settleAll(t);
  const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId: 'M-SUP', force: true });
  await settleAll(t);
  const promised = new Date(Date.UTC(2026, 0, 1) + 13 * 86_400_000);
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: purchaseOrders[0].purchaseOrderId, promisedTime: promised, lines: [{ sku: 'M-E', confirmedQuantity: 4 }] });
  await settleAll(t);
  await t.orders.refreshEtas({ skus: ['M-E'] });
  const { backorders } = await t.orders.listBackorders({ sku: 'M-E' });
  expect(backorders.map((b) => b.eta?.expectedTime)).toEqual([promised, promised]);

  expect((await t.orders.getBackorderMetrics({ sku: 'M-E' })).metrics!.shareExpectedWithin7Days).toBe(1); // day 13 is 3 days ahead
  at(14); // the promised day passed and the goods are late: that ETA no longer counts as expected soon
  const { metrics } = await t.orders.getBackorderMetrics({ sku: 'M-E' });
  expect([metrics!.shareExpectedWithin7Days, metrics!.openBackorderUnits, metrics!.openBackorderedOrders, metrics!.orderBackorderRate]).toEqual([0, 4, 2, 1]);
});

