import { status } from '@grpc/grpc-js';
import { EtaSource } from '../src/gen/restock/orders/v1/order';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { order, product, settleAll } from './support/fixtures';
import { seedSupplier, TestClock } from './support/procurement-fixtures';

// QuoteAvailability through the real Orders, Inventory and Procurement services, on a hand-set clock.
const DAY = 86_400_000;
const clock = new TestClock(new Date('2026-02-02T08:00:00Z'));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
  await seedLeadTimes();
  clock.set('2026-03-02T08:00:00Z'); // a Monday; the suppliers release Mondays 10:00 Berlin = 09:00 UTC
  await t.procurement.evaluateBuffers({}); // every schedule moves on to 2026-03-02T09:00Z
});
afterAll(async () => {
  await t.stop();
});

/**
 * Supplier Q (7 days quoted) has two measured lead times, 3 and 13 days: weight 2/(2+5), so the expected lead
 * time is 2/7 × 8 (mean) + 5/7 × 7 = 51/7 days and the latest 2/7 × 12 (p90) + 5/7 × 7 = 59/7 days.
 */
async function seedLeadTimes(): Promise<void> {
  await product(t, 'Q-SEED');
  await seedSupplier(t, 'Q', { releaseSchedule: '0 10 * * 1' }, [{ sku: 'Q-SEED' }, { sku: 'Q-1' }, { sku: 'Q-CAP' }, { sku: 'Q-GATE' }]);
  for (const [i, days] of [3, 13].entries()) {
    await t.procurement.recordDemand({ demandId: `q-seed-${i}`, sku: 'Q-SEED', quantity: 1 });
    const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'Q', force: true })).purchaseOrders;
    await t.app.dispatchers.procurement!.drain(); // the PO email: SENT
    const { purchaseOrder } = await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId });
    await t.procurement.receivePurchaseOrder({
      receiptId: `q-seed-${i}`, purchaseOrderId: po.purchaseOrderId, receivedTime: new Date(purchaseOrder!.sendTime!.getTime() + days * DAY), lines: [{ sku: 'Q-SEED', quantity: 1 }],
    });
  }
  await settleAll(t);
}

const NEXT_RELEASE = Date.parse('2026-03-02T09:00:00Z');
const after = (from: number, days: number) => new Date(from + Math.round(days * DAY));

describe('QuoteAvailability', () => {
  it('quotes what is free now, what would wait, the cap left and, for the rest, the buffer release plus the lead time (expected to latest)', async () => {
    await product(t, 'Q-1', { onHand: 2, maxPerCustomer: 10 });
    await order(t, [['Q-1', 5]], { customer: 'quinn' }); // 2 reserved, 3 waiting for quinn
    await t.inventory.adjustStock({ requestId: 'q-1-more', sku: 'Q-1', delta: 4, reason: 'found' });
    await settleAll(t); // the 4 found go to the waiting line first (3), 1 is free

    const quote = await t.orders.quoteAvailability({ sku: 'Q-1', quantity: 6, customerId: 'quinn' });
    expect(quote).toEqual({
      availableQuantity: 1,
      backorderQuantity: 5,
      backorderable: true,
      notBackorderableReason: '',
      customerCapRemaining: 10, // quinn's earlier line is filled
      eta: { expectedTime: after(NEXT_RELEASE, 51 / 7), latestTime: after(NEXT_RELEASE, 59 / 7), source: EtaSource.ETA_SOURCE_BUFFER, purchaseOrderId: '' },
    });
    expect(await t.orders.quoteAvailability({ sku: 'Q-1', quantity: 1, customerId: '' })).toEqual({
      availableQuantity: 1, backorderQuantity: 0, backorderable: true, notBackorderableReason: '', customerCapRemaining: undefined, eta: undefined,
    });
  });

  it('is released now when the demand quoted reaches the min quantity, and rides an open PO that has room', async () => {
    await product(t, 'Q-MIN');
    await seedSupplier(t, 'QMIN', { releaseSchedule: '0 10 * * 1', minQuantity: 10 }, [{ sku: 'Q-MIN', packSize: 10 }]);
    const below = await t.orders.quoteAvailability({ sku: 'Q-MIN', quantity: 9, customerId: 'quinn' });
    expect([below.eta?.expectedTime, below.eta?.source]).toEqual([after(NEXT_RELEASE, 7), EtaSource.ETA_SOURCE_BUFFER]);
    const reaching = await t.orders.quoteAvailability({ sku: 'Q-MIN', quantity: 10, customerId: 'quinn' });
    expect([reaching.eta?.expectedTime, reaching.eta?.latestTime]).toEqual([after(clock.now().getTime(), 7), after(clock.now().getTime(), 7)]);

    // 3 units ordered in a pack of 10: the PO has 7 units no one waits for
    await order(t, [['Q-MIN', 3]], { customer: 'pia' });
    await settleAll(t);
    const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'QMIN', force: true })).purchaseOrders;
    const promised = new Date('2026-03-06T12:00:00Z');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: promised, lines: [{ sku: 'Q-MIN', confirmedQuantity: 10 }] });
    const onPo = await t.orders.quoteAvailability({ sku: 'Q-MIN', quantity: 7, customerId: 'quinn' });
    expect(onPo.eta).toEqual({ expectedTime: promised, latestTime: promised, source: EtaSource.ETA_SOURCE_PURCHASE_ORDER, purchaseOrderId: po.purchaseOrderId });
    const beyond = await t.orders.quoteAvailability({ sku: 'Q-MIN', quantity: 8, customerId: 'quinn' });
    expect([beyond.eta?.source, beyond.eta?.expectedTime]).toEqual([EtaSource.ETA_SOURCE_BUFFER, after(NEXT_RELEASE, 7)]);
  });

  it('gives no stock to a quote while older lines wait for the SKU (FIFO), and queues it behind them', async () => {
    await product(t, 'Q-GATE');
    await order(t, [['Q-GATE', 4]], { customer: 'gus' });
    await t.inventory.adjustStock({ requestId: 'q-gate-found', sku: 'Q-GATE', delta: 2, reason: 'found' }); // not handed out yet
    const quote = await t.orders.quoteAvailability({ sku: 'Q-GATE', quantity: 3, customerId: 'quinn' });
    expect([quote.availableQuantity, quote.backorderQuantity, quote.backorderable]).toEqual([0, 3, true]);
    expect(quote.eta?.source).toBe(EtaSource.ETA_SOURCE_BUFFER);
    await settleAll(t);
  });

  it('says why the rest may not wait, with PlaceOrder\'s reasons, and how much of the cap is left', async () => {
    await product(t, 'Q-CAP', { maxPerCustomer: 5 });
    await order(t, [['Q-CAP', 4]], { customer: 'cap' });
    const capped = await t.orders.quoteAvailability({ sku: 'Q-CAP', quantity: 2, customerId: 'cap' });
    expect(capped).toMatchObject({ availableQuantity: 0, backorderQuantity: 2, backorderable: false, notBackorderableReason: 'BACKORDER_LIMIT_EXCEEDED', customerCapRemaining: 1 });
    expect(capped.eta).toBeUndefined();
    const placing = await grpcError(order(t, [['Q-CAP', 2]], { customer: 'cap' }));
    expect(placing.reason).toBe('BACKORDER_LIMIT_EXCEEDED'); // the quote agrees with PlaceOrder
    expect(await t.orders.quoteAvailability({ sku: 'Q-CAP', quantity: 1, customerId: 'cap' })).toMatchObject({ backorderable: true, customerCapRemaining: 1 });

    await product(t, 'Q-OLD', { discontinued: true, onHand: 1 });
    expect(await t.orders.quoteAvailability({ sku: 'Q-OLD', quantity: 3, customerId: 'cap' })).toMatchObject({
      availableQuantity: 1, backorderQuantity: 2, backorderable: false, notBackorderableReason: 'PRODUCT_DISCONTINUED',
    });
    await product(t, 'Q-NOW', { acceptBackorders: false });
    expect(await t.orders.quoteAvailability({ sku: 'Q-NOW', quantity: 1, customerId: '' })).toMatchObject({ backorderable: false, notBackorderableReason: 'BACKORDERS_NOT_ACCEPTED' });

    // the product's cap counts every customer's waiting units
    await t.inventory.upsertProduct({
      product: { sku: 'Q-TOTAL', name: 'Total cap', unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 }, backorderPolicy: { acceptBackorders: true, maxBackorderQuantityTotal: 5 } },
    });
    await order(t, [['Q-TOTAL', 4]], { customer: 'other' });
    expect(await t.orders.quoteAvailability({ sku: 'Q-TOTAL', quantity: 2, customerId: 'cap' })).toMatchObject({ backorderable: false, notBackorderableReason: 'PRODUCT_BACKORDER_LIMIT_EXCEEDED' });
    expect((await grpcError(order(t, [['Q-TOTAL', 2]], { customer: 'cap' }))).reason).toBe('PRODUCT_BACKORDER_LIMIT_EXCEEDED');
    expect(await t.orders.quoteAvailability({ sku: 'Q-TOTAL', quantity: 1, customerId: '' })).toMatchObject({ backorderable: true });
  });

  it('says UNKNOWN only when no supplier sells the SKU', async () => {
    await product(t, 'Q-NOBODY');
    const quote = await t.orders.quoteAvailability({ sku: 'Q-NOBODY', quantity: 2, customerId: 'quinn' });
    expect([quote.backorderable, quote.eta]).toEqual([true, { expectedTime: undefined, latestTime: undefined, source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '' }]);
  });

  it('refuses bad input with the fields, and an unknown SKU with NOT_FOUND', async () => {
    const bad = await grpcError(t.orders.quoteAvailability({ sku: '', quantity: 0, customerId: 'has space' }));
    expect([status[bad.code], bad.violations?.map((v) => v.field).sort()]).toEqual(['INVALID_ARGUMENT', ['customer_id', 'quantity', 'sku']]);
    const unknown = await grpcError(t.orders.quoteAvailability({ sku: 'Q-NONE', quantity: 1, customerId: '' }));
    expect(status[unknown.code]).toBe('NOT_FOUND');
  });
});

describe('QuoteSupply', () => {
  it('quotes several SKUs in one call, in request order, recording nothing', async () => {
    const { quotes } = await t.procurement.quoteSupply({ demands: [{ sku: 'Q-NOBODY', quantity: 1 }, { sku: 'Q-1', quantity: 2 }] });
    expect(quotes.map((q) => [q.sku, q.supplierId, q.demandArrival?.expectedTime])).toEqual([
      ['Q-NOBODY', '', undefined],
      ['Q-1', 'Q', after(NEXT_RELEASE, 51 / 7)],
    ]);
    expect((await t.procurement.getBuffer({ supplierId: 'Q' })).buffer?.lines.find((l) => l.sku === 'Q-1')).toBeUndefined();
    const twice = await grpcError(t.procurement.quoteSupply({ demands: [{ sku: 'Q-1', quantity: 1 }, { sku: 'Q-1', quantity: 2 }] }));
    expect([status[twice.code], twice.violations?.map((v) => v.field)]).toEqual(['INVALID_ARGUMENT', ['demands']]);
  });
});
