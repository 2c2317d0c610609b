import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { query } from './support/db';
import { seedSupplier, TestClock } from './support/procurement-fixtures';

const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
});
afterAll(async () => {
  await t.stop();
});

describe('EvaluateBuffers reason', () => {
  it('keeps the reason of a release by hand on the PO with who released it, and returns both on the PurchaseOrder', async () => {
    await seedSupplier(t, 'WHY', {}, [{ sku: 'WHY-BOLT', cents: 100 }]);
    await t.procurement.recordDemand({ demandId: 'why-1', sku: 'WHY-BOLT', quantity: 3 });
    const planner = t.clientsAs({ sub: 'planner-ann', roles: ['planner'] });
    const { purchaseOrders: [po] } = await planner.procurement.evaluateBuffers({ supplierId: 'WHY', force: true, reason: '  customer escalation ' });
    expect(po).toMatchObject({ releasedBy: 'planner-ann', releaseReason: 'customer escalation' });
    const read = (await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!;
    expect(read).toMatchObject({ releasedBy: 'planner-ann', releaseReason: 'customer escalation' });
    const listed = (await t.procurement.listPurchaseOrders({ supplierId: 'WHY' })).purchaseOrders;
    expect(listed.map((o) => o.releaseReason)).toEqual(['customer escalation']);
    const [row] = await query<Record<string, unknown>>(t.databaseUrl, // the stored column itself
      `SELECT release_reason FROM procurement.purchase_order WHERE purchase_order_id = '${po.purchaseOrderId}'`);
    expect(Object.values(row)).toEqual(['customer escalation']);
  });

  it('stays optional: a release by hand without a reason, and an automatic release, have none', async () => {
    await seedSupplier(t, 'NOWHY', { minQuantity: 5 }, [{ sku: 'NOWHY-BOLT', cents: 100 }]);
    await t.procurement.recordDemand({ demandId: 'nowhy-1', sku: 'NOWHY-BOLT', quantity: 1 });
    const { purchaseOrders: [manual] } = await t.procurement.evaluateBuffers({ supplierId: 'NOWHY', force: true });
    expect(manual).toMatchObject({ releaseReason: '', releasedBy: expect.stringMatching(/\S/) });
    await t.procurement.recordDemand({ demandId: 'nowhy-2', sku: 'NOWHY-BOLT', quantity: 6 }); // over the minimum: released by the rules
    const auto = (await t.procurement.listPurchaseOrders({ supplierId: 'NOWHY' })).purchaseOrders.find((o) => o.purchaseOrderId !== manual.purchaseOrderId)!;
    expect(auto).toMatchObject({ releaseReason: '', releasedBy: '' });
  });

  it('refuses a reason that is too long, or given without force, with INVALID_ARGUMENT', async () => {
    const long = await grpcError(t.procurement.evaluateBuffers({ supplierId: 'WHY', force: true, reason: 'x'.repeat(501) }));
    expect(long.code).toBe(status.INVALID_ARGUMENT);
    expect(long.violations.map((v) => v.field)).toEqual(['reason']);
    const unforced = await grpcError(t.procurement.evaluateBuffers({ supplierId: 'WHY', reason: 'why not' }));
    expect(unforced.code).toBe(status.INVALID_ARGUMENT);
    expect(unforced.violations.map((v) => v.field)).toEqual(['reason']);
  });
});
