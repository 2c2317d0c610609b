import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { seedSupplier, TestClock } from './support/procurement-fixtures';

// GetSupplierScorecard measures a supplier's POs against its promises, overall and per SKU.
const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
});
afterAll(() => t.stop());

/** A release schedule that never fires in these tests: POs are released by hand. */
const NEW_YEAR = '0 10 1 1 *';

/** Releases the supplier's buffer now and emails the PO (sent at the clock's time). */
async function sentPurchaseOrder(supplierId: string) {
  const [po] = (await t.procurement.evaluateBuffers({ supplierId, force: true })).purchaseOrders;
  await t.app.dispatchers.procurement!.drain();
  return po;
}

it('reports on-time rate, fill rate, days to confirm and lateness, overall and per SKU', async () => {
  await seedSupplier(t, 'SC', { releaseSchedule: NEW_YEAR }, [{ sku: 'SC-A' }, { sku: 'SC-B' }]);

  // PO 1: sent on 2 March, confirmed a day later for 10 March; SC-A comes on time, SC-B two days late.
  await t.procurement.recordDemand({ demandId: 'sc-1', sku: 'SC-A', quantity: 10 });
  await t.procurement.recordDemand({ demandId: 'sc-2', sku: 'SC-B', quantity: 5 });
  const po1 = await sentPurchaseOrder('SC');
  clock.set('2026-03-03T08:00:00Z');
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po1.purchaseOrderId, promisedTime: new Date('2026-03-10T00:00:00Z') });
  await t.procurement.receivePurchaseOrder({ receiptId: 'sc-r1', purchaseOrderId: po1.purchaseOrderId, lines: [{ sku: 'SC-A', quantity: 10 }], receivedTime: new Date('2026-03-09T12:00:00Z') });
  await t.procurement.receivePurchaseOrder({ receiptId: 'sc-r2', purchaseOrderId: po1.purchaseOrderId, lines: [{ sku: 'SC-B', quantity: 5 }], receivedTime: new Date('2026-03-12T00:00:00Z') });

  // PO 2: sent on 4 March, confirmed half a day later for 4 of the 6 units, by 14 March; they come four days late.
  clock.set('2026-03-04T08:00:00Z');
  await t.procurement.recordDemand({ demandId: 'sc-3', sku: 'SC-A', quantity: 6 });
  const po2 = await sentPurchaseOrder('SC');
  clock.set('2026-03-04T20:00:00Z');
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po2.purchaseOrderId, promisedTime: new Date('2026-03-14T00:00:00Z'), lines: [{ sku: 'SC-A', confirmedQuantity: 4 }] });
  await t.procurement.receivePurchaseOrder({ receiptId: 'sc-r3', purchaseOrderId: po2.purchaseOrderId, lines: [{ sku: 'SC-A', quantity: 4 }], receivedTime: new Date('2026-03-18T00:00:00Z') });

  // PO 3: sent, never confirmed nor delivered: it counts as a PO and nothing else.
  clock.set('2026-03-20T08:00:00Z');
  await t.procurement.recordDemand({ demandId: 'sc-4', sku: 'SC-B', quantity: 3 });
  await sentPurchaseOrder('SC');

  const { scorecard } = await t.procurement.getSupplierScorecard({ supplierId: 'SC' });
  expect(scorecard).toEqual({
    supplierId: 'SC',
    overall: {
      purchaseOrders: 3,
      promisedLinesReceived: 3,
      onTimeRate: 1 / 3,
      fillRate: 19 / 21, // PO 1: 15 of 15, PO 2: 4 of 6
      averageConfirmDays: 0.75, // per PO: 1 and 0.5
      averageLatenessDays: 2, // 0, 2 and 4
    },
    skus: [
      { sku: 'SC-A', performance: { purchaseOrders: 2, promisedLinesReceived: 2, onTimeRate: 0.5, fillRate: 14 / 16, averageConfirmDays: 0.75, averageLatenessDays: 2 } },
      { sku: 'SC-B', performance: { purchaseOrders: 2, promisedLinesReceived: 1, onTimeRate: 0, fillRate: 1, averageConfirmDays: 1, averageLatenessDays: 2 } },
    ],
  });

  // A later confirmation keeps the first one's time.
  clock.set('2026-03-21T08:00:00Z');
  const [po3] = (await t.procurement.listPurchaseOrders({ supplierId: 'SC', pageSize: 1 })).purchaseOrders;
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po3.purchaseOrderId, promisedTime: new Date('2026-03-30T00:00:00Z') });
  const after = (await t.procurement.getSupplierScorecard({ supplierId: 'SC' })).scorecard!;
  expect(after.overall!.averageConfirmDays).toBeCloseTo((1 + 0.5 + 1) / 3, 12);
  expect(after.skus.find((s) => s.sku === 'SC-B')!.performance!.averageConfirmDays).toBe(1);
});

it('is all zeros for a supplier with no PO yet, and refuses an unknown or missing supplier', async () => {
  await seedSupplier(t, 'SC-NEW', {}, [{ sku: 'SC-NEW-1' }]);
  const zero = { purchaseOrders: 0, promisedLinesReceived: 0, onTimeRate: 0, fillRate: 0, averageConfirmDays: 0, averageLatenessDays: 0 };
  expect((await t.procurement.getSupplierScorecard({ supplierId: 'SC-NEW' })).scorecard).toEqual({ supplierId: 'SC-NEW', overall: zero, skus: [] });
  expect(status[(await grpcError(t.procurement.getSupplierScorecard({ supplierId: 'SC-NONE' }))).code]).toBe('NOT_FOUND');
  const missing = await grpcError(t.procurement.getSupplierScorecard({ supplierId: '' }));
  expect(status[missing.code]).toBe('INVALID_ARGUMENT');
  expect(missing.violations.map((v) => v.field)).toEqual(['supplier_id']);
});
