import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { seedSupplier, TestClock } from './support/procurement-fixtures';

const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
const DAY = 86_400_000;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
});
afterAll(async () => {
  await t.stop();
});

/** A PO released for both SKUs of the supplier and emailed (SENT at the clock's time). */
async function sentPurchaseOrder(supplierId: string, demand: string) {
  await t.procurement.recordDemand({ demandId: `${demand}-1`, sku: `${supplierId}-BOLT`, quantity: 10 });
  await t.procurement.recordDemand({ demandId: `${demand}-2`, sku: `${supplierId}-NUT`, quantity: 5 });
  const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId, force: true });
  await t.app.dispatchers.procurement!.drain();
  return (await t.procurement.getPurchaseOrder({ purchaseOrderId: purchaseOrders[0].purchaseOrderId })).purchaseOrder!;
}

describe('ListLeadTimeObservations', () => {
  it('lists one observation per received SKU with its PO, receipt time and lead time, filtered and paged', async () => {
    await seedSupplier(t, 'OBS', {}, [{ sku: 'OBS-BOLT', cents: 100 }, { sku: 'OBS-NUT', cents: 50 }]);
    expect((await t.procurement.listLeadTimeObservations({ supplierId: 'OBS' })).observations).toEqual([]);

    clock.set('2026-03-02T00:00:00Z');
    const first = await sentPurchaseOrder('OBS', 'obs-a');
    expect(first.lines.map((l) => l.sku).sort()).toEqual(['OBS-BOLT', 'OBS-NUT']);
    const firstReceived = new Date(first.sendTime!.getTime() + 6.5 * DAY);
    await t.procurement.receivePurchaseOrder({ receiptId: 'obs-r1', purchaseOrderId: first.purchaseOrderId, receivedTime: firstReceived,
      lines: [{ sku: 'OBS-BOLT', quantity: 10 }, { sku: 'OBS-NUT', quantity: 5 }] });

    clock.set('2026-03-20T00:00:00Z');
    const second = await sentPurchaseOrder('OBS', 'obs-b');
    const secondReceived = new Date(second.sendTime!.getTime() + 9 * DAY);
    await t.procurement.receivePurchaseOrder({ receiptId: 'obs-r2', purchaseOrderId: second.purchaseOrderId, receivedTime: secondReceived,
      lines: [{ sku: second.lines[0].sku, quantity: second.lines[0].quantity }] });

    const all = await t.procurement.listLeadTimeObservations({ supplierId: 'OBS' });
    expect(all.nextPageToken).toBe('');
    expect(all.observations.map((o) => [o.purchaseOrderId, o.purchaseOrderNumber, o.sku, o.observeTime, o.leadTimeDays])).toEqual([
      [first.purchaseOrderId, first.number, 'OBS-BOLT', firstReceived, 6.5],
      [first.purchaseOrderId, first.number, 'OBS-NUT', firstReceived, 6.5],
      [second.purchaseOrderId, second.number, second.lines[0].sku, secondReceived, 9],
    ].sort((a, b) => (a[3] as Date).getTime() - (b[3] as Date).getTime() || String(a[2]).localeCompare(String(b[2]))));

    const nuts = await t.procurement.listLeadTimeObservations({ supplierId: 'OBS', sku: 'OBS-NUT' });
    expect(nuts.observations.map((o) => [o.purchaseOrderNumber, o.leadTimeDays])).toEqual(
      [[first.number, 6.5], ...(second.lines[0].sku === 'OBS-NUT' ? [[second.number, 9]] : [])]);
    const windowed = await t.procurement.listLeadTimeObservations({ supplierId: 'OBS', observeStartTime: new Date('2026-03-15T00:00:00Z') });
    expect(windowed.observations.map((o) => o.purchaseOrderId)).toEqual([second.purchaseOrderId]);
    const before = await t.procurement.listLeadTimeObservations({ supplierId: 'OBS', observeEndTime: new Date('2026-03-15T00:00:00Z') });
    expect(before.observations.map((o) => o.purchaseOrderId)).toEqual([first.purchaseOrderId, first.purchaseOrderId]);

    const paged = [];
    let pageToken = '';
    do {
      const page = await t.procurement.listLeadTimeObservations({ supplierId: 'OBS', pageSize: 2, pageToken });
      expect(page.observations.length).toBeLessThanOrEqual(2);
      paged.push(...page.observations);
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(paged).toEqual(all.observations);

    expect((await grpcError(t.procurement.listLeadTimeObservations({ supplierId: 'NOPE' }))).reason).toBe('SUPPLIER_NOT_FOUND');
  });

  it('refuses bad input with INVALID_ARGUMENT and field violations, and callers who are not planners', async () => {
    const bad = await grpcError(t.procurement.listLeadTimeObservations({
      supplierId: '', sku: 'a b', observeStartTime: new Date('2026-03-10T00:00:00Z'), observeEndTime: new Date('2026-03-01T00:00:00Z'), pageSize: -1,
    }));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['observe_end_time', 'sku', 'supplier_id']);
    const token = await grpcError(t.procurement.listLeadTimeObservations({ supplierId: 'OBS', pageToken: 'not-a-token' }));
    expect(token.code).toBe(status.INVALID_ARGUMENT);
    expect(token.violations.map((v) => v.field)).toEqual(['page_token']);
    const warehouse = t.clientsAs({ sub: 'dock', roles: ['warehouse'] });
    expect((await grpcError(warehouse.procurement.listLeadTimeObservations({ supplierId: 'OBS' }))).code).toBe(status.PERMISSION_DENIED);
    const planner = t.clientsAs({ sub: 'plan', roles: ['planner'] });
    await expect(planner.procurement.listLeadTimeObservations({ supplierId: 'OBS' })).resolves.toBeDefined();
  });
});
