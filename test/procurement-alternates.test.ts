import { status } from '@grpc/grpc-js';
import { query } from './support/db';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { expectDemandConserved } from './support/invariants';
import { eur, seedSupplier, TestClock } from './support/procurement-fixtures';

// Quantity a supplier declines goes to the SKU's next supplier by alternate rank, then to unassigned demand.
const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
});
afterAll(() => t.stop());

const PROMISED = new Date('2026-03-20T00:00:00Z');
const buffered = async (supplierId: string) => (await t.procurement.getBuffer({ supplierId })).buffer!.totalQuantity;
const release = async (supplierId: string) => (await t.procurement.evaluateBuffers({ supplierId, force: true })).purchaseOrders[0];
const declines = (sku: string) =>
  query<{ demandId: string; supplierId: string; quantity: number }>(
    t.databaseUrl,
    'SELECT demand_id, supplier_id, quantity FROM procurement.demand_decline WHERE sku = $1 ORDER BY supplier_id, demand_id',
    [sku],
  );

it('stores alternate ranks 0-1000 and returns them from upsert, get and list', async () => {
  await seedSupplier(t, 'RANK-A', {}, []);
  const product = { supplierId: 'RANK-A', sku: 'RANK-1', supplierSku: 'R-1', unitCost: eur(100), packSize: 1, minOrderQuantity: 0 };
  const { supplierProduct } = await t.procurement.upsertSupplierProduct({ supplierProduct: { ...product, alternateRank: 7 } });
  expect(supplierProduct!.alternateRank).toBe(7);
  expect((await t.procurement.getSupplierProduct({ supplierId: 'RANK-A', sku: 'RANK-1' })).supplierProduct!.alternateRank).toBe(7);
  expect((await t.procurement.listSupplierProducts({ sku: 'RANK-1' })).supplierProducts.map((p) => p.alternateRank)).toEqual([7]);
  for (const alternateRank of [-1, 1001]) {
    const error = await grpcError(t.procurement.upsertSupplierProduct({ supplierProduct: { ...product, alternateRank } }));
    expect(status[error.code]).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field)).toEqual(['supplier_product.alternate_rank']);
  }
  expect((await t.procurement.getSupplierProduct({ supplierId: 'RANK-A', sku: 'RANK-1' })).supplierProduct!.alternateRank).toBe(7);
});

it('passes declined quantity to the next supplier by rank, then leaves it unassigned, and a new supplier takes it', async () => {
  // ALT-1: A serves it (first to sell it, unranked); C is the first alternate (rank 1), B the second (rank 2).
  await seedSupplier(t, 'ALT-A', {}, [{ sku: 'ALT-1' }]);
  await seedSupplier(t, 'ALT-B', {}, [{ sku: 'ALT-1', alternateRank: 2 }]);
  await seedSupplier(t, 'ALT-C', {}, [{ sku: 'ALT-1', alternateRank: 1 }]);
  expect((await t.procurement.recordDemand({ demandId: 'alt-d1', sku: 'ALT-1', quantity: 5 })).supplierId).toBe('ALT-A');
  clock.set('2026-03-02T08:30:00Z'); // before Monday's scheduled release (10:00 in Berlin)
  await t.procurement.recordDemand({ demandId: 'alt-d2', sku: 'ALT-1', quantity: 3 });
  const poA = await release('ALT-A');
  expect(poA.lines.map((l) => [l.sku, l.quantity])).toEqual([['ALT-1', 8]]);

  // A confirms 2 of 8: the 6 it declined (newest demand first: all of d2, 3 of d1) become C's demand.
  const confirmed = await t.procurement.confirmPurchaseOrder({ purchaseOrderId: poA.purchaseOrderId, promisedTime: PROMISED, lines: [{ sku: 'ALT-1', confirmedQuantity: 2 }] });
  expect(confirmed.purchaseOrder!.lines[0]).toMatchObject({ confirmedQuantity: 2, demandedQuantity: 2 });
  expect([await buffered('ALT-A'), await buffered('ALT-B'), await buffered('ALT-C')]).toEqual([0, 0, 6]);
  expect(await declines('ALT-1')).toEqual([
    { demandId: 'alt-d1', supplierId: 'ALT-A', quantity: 3 },
    { demandId: 'alt-d2', supplierId: 'ALT-A', quantity: 3 },
  ]);
  await expectDemandConserved({ procurement: t.databaseUrl });

  // C declines all of it: B, the next rank, gets it.
  const poC = await release('ALT-C');
  expect(poC.lines.map((l) => [l.sku, l.quantity, l.demandedQuantity])).toEqual([['ALT-1', 6, 6]]);
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: poC.purchaseOrderId, promisedTime: PROMISED, lines: [{ sku: 'ALT-1', confirmedQuantity: 0 }] });
  expect([await buffered('ALT-A'), await buffered('ALT-B'), await buffered('ALT-C')]).toEqual([0, 6, 0]);

  // B declines 4 of 6: every supplier of ALT-1 declined those units, so they wait unassigned, shown as declined.
  const poB = await release('ALT-B');
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: poB.purchaseOrderId, promisedTime: PROMISED, lines: [{ sku: 'ALT-1', confirmedQuantity: 2 }] });
  expect([await buffered('ALT-A'), await buffered('ALT-B'), await buffered('ALT-C')]).toEqual([0, 0, 0]);
  await t.procurement.recordDemand({ demandId: 'nobody-d1', sku: 'ALT-NOBODY', quantity: 2 }); // a SKU no supplier sells
  const { demands } = await t.procurement.listUnassignedDemand({});
  expect(demands.map(({ sku, quantity, declinedQuantity }) => ({ sku, quantity, declinedQuantity }))).toEqual([
    { sku: 'ALT-1', quantity: 4, declinedQuantity: 4 },
    { sku: 'ALT-NOBODY', quantity: 2, declinedQuantity: 0 },
  ]);
  await expectDemandConserved({ procurement: t.databaseUrl });

  // A new supplier of ALT-1 has declined nothing: the unassigned units become its demand.
  await seedSupplier(t, 'ALT-D', {}, [{ sku: 'ALT-1' }]);
  expect(await buffered('ALT-D')).toBe(4);
  expect((await t.procurement.listUnassignedDemand({})).demands.map((d) => d.sku)).toEqual(['ALT-NOBODY']);
  await expectDemandConserved({ procurement: t.databaseUrl });
});

it('returns the demand of a PO we cancel to the buffer it came from: no decline', async () => {
  await seedSupplier(t, 'CAN-X', {}, [{ sku: 'CAN-1' }]);
  await seedSupplier(t, 'CAN-Y', {}, [{ sku: 'CAN-1', alternateRank: 1 }]);
  await t.procurement.recordDemand({ demandId: 'can-d1', sku: 'CAN-1', quantity: 4 });
  const poX = await release('CAN-X');
  await t.procurement.cancelPurchaseOrder({ purchaseOrderId: poX.purchaseOrderId, reason: 'ordered by mistake' });
  expect([await buffered('CAN-X'), await buffered('CAN-Y')]).toEqual([4, 0]);
  expect(await declines('CAN-1')).toEqual([]);

  // X declines 1; the alternate Y's PO for it is then cancelled by us: it goes back to Y, not to X who declined it.
  const again = await release('CAN-X');
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: again.purchaseOrderId, promisedTime: PROMISED, lines: [{ sku: 'CAN-1', confirmedQuantity: 3 }] });
  expect([await buffered('CAN-X'), await buffered('CAN-Y')]).toEqual([0, 1]);
  const poY = await release('CAN-Y');
  await t.procurement.cancelPurchaseOrder({ purchaseOrderId: poY.purchaseOrderId, reason: 'wrong pack' });
  expect([await buffered('CAN-X'), await buffered('CAN-Y')]).toEqual([0, 1]);
  expect(await declines('CAN-1')).toEqual([{ demandId: 'can-d1', supplierId: 'CAN-X', quantity: 1 }]);
  await expectDemandConserved({ procurement: t.databaseUrl });
});
