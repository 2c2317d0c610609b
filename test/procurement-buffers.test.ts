import { status } from '@grpc/grpc-js';
import { PurchaseOrderStatus, ReleaseTrigger } from '../src/gen/restock/procurement/v1/purchase_order';
import { demandRecording } from '../src/procurement/buffer-triggers';
import { query } from './support/db';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { expectDemandsOnOnePurchaseOrder } from './support/invariants';
import { eur, seedSupplier, supplierOf, TestClock } from './support/procurement-fixtures';

const clock = new TestClock(new Date('2026-03-02T08:00:00Z')); // a Monday, 09:00 in Berlin
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
});
afterAll(() => t.stop());

describe('suppliers', () => {
  it('creates a supplier with the default weekly schedule and lists suppliers by page', async () => {
    const { supplier } = await t.procurement.upsertSupplier({ supplier: { ...supplierOf('SUP-A'), bufferPolicy: undefined } });
    expect(supplier?.bufferPolicy).toEqual({ minQuantity: 0, minValue: eur(0), releaseSchedule: '0 10 * * 1', maxWaitDays: 0, paused: false });
    expect((await t.procurement.getSupplier({ supplierId: 'SUP-A' })).supplier).toEqual(supplier);
    await t.procurement.upsertSupplier({ supplier: supplierOf('SUP-B') });
    const first = await t.procurement.listSuppliers({ pageSize: 1 });
    expect(first.suppliers.map((s) => s.supplierId)).toEqual(['SUP-A']);
    const second = await t.procurement.listSuppliers({ pageSize: 1, pageToken: first.nextPageToken });
    expect(second.suppliers[0].supplierId).toBe('SUP-B');
  });

  it('shows the next scheduled release in the supplier time zone', async () => {
    await t.procurement.upsertSupplier({ supplier: supplierOf('SUP-NEXT') });
    const { buffer } = await t.procurement.getBuffer({ supplierId: 'SUP-NEXT' });
    expect(buffer?.nextReleaseTime).toEqual(new Date('2026-03-02T09:00:00Z'));
    expect(buffer?.totalQuantity).toBe(0);
  });

  it('keeps an audit trail of policy changes, each by the caller, and refuses nonsense', async () => {
    const planner = t.clientsAs({ sub: 'planner@example.com', roles: ['planner'] }).procurement;
    const lead = t.clientsAs({ sub: 'lead', roles: ['planner'] }).procurement;
    await t.procurement.upsertSupplier({ supplier: supplierOf('SUP-POL') });
    clock.set('2026-03-02T08:05:00Z');
    const { supplier } = await planner.updateBufferPolicy({
      supplierId: 'SUP-POL',
      policy: { minQuantity: 50, minValue: eur(10000), releaseSchedule: '0 8 * * 1-5', maxWaitDays: 5 },
      updatedBy: 'planner@example.com',
      reason: 'bigger orders',
    });
    expect(supplier?.bufferPolicy).toMatchObject({ minQuantity: 50, minValue: eur(10000), releaseSchedule: '0 8 * * 1-5', maxWaitDays: 5 });
    await lead.updateBufferPolicy({ supplierId: 'SUP-POL', policy: { minQuantity: 60 }, reason: 'more' });
    const { policyChanges } = await t.procurement.listPolicyChanges({ supplierId: 'SUP-POL' });
    expect(policyChanges.map((c) => [c.updatedBy, c.reason, c.oldPolicy?.minQuantity, c.newPolicy?.minQuantity])).toEqual([
      ['lead', 'more', 50, 60],
      ['planner@example.com', 'bigger orders', 0, 50],
    ]);
    expect(policyChanges[1].changeTime).toEqual(new Date('2026-03-02T08:05:00Z'));
    expect(policyChanges[0].newPolicy?.releaseSchedule).toBe('0 10 * * 1');

    // Replacing the supplier without a policy keeps the planners' policy; with one, the change is audited.
    const renamed = await t.procurement.upsertSupplier({ supplier: { ...supplierOf('SUP-POL'), name: 'Renamed', bufferPolicy: undefined } });
    expect(renamed.supplier?.bufferPolicy?.minQuantity).toBe(60);
    await t.procurement.upsertSupplier({ supplier: supplierOf('SUP-POL', { minQuantity: 70 }) });
    const [latest] = (await t.procurement.listPolicyChanges({ supplierId: 'SUP-POL' })).policyChanges;
    expect([latest.updatedBy, latest.oldPolicy?.minQuantity, latest.newPolicy?.minQuantity]).toEqual(['UpsertSupplier', 60, 70]);
    await lead.updateBufferPolicy({ supplierId: 'SUP-POL', policy: { minQuantity: 60 }, updatedBy: 'lead', reason: 'back' });

    const bad = await grpcError(
      lead.updateBufferPolicy({
        supplierId: 'SUP-POL',
        policy: { minQuantity: -1, minValue: { currencyCode: 'EUR', units: -5, nanos: 0 }, releaseSchedule: '61 * * * *', maxWaitDays: -2 },
        updatedBy: 'planner@example.com', // someone else: the caller is lead
        reason: '',
      }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field).sort()).toEqual(
      ['policy.max_wait_days', 'policy.min_quantity', 'policy.min_value.units', 'policy.release_schedule', 'reason', 'updated_by'].sort(),
    );
    expect((await t.procurement.listPolicyChanges({ supplierId: 'SUP-POL' })).policyChanges).toHaveLength(4);
  });
});

describe('supplier currency', () => {
  it('refuses to change the currency of a supplier with priced products', async () => {
    await seedSupplier(t, 'SUP-CUR', {}, [{ sku: 'CUR-1' }]);
    const error = await grpcError(t.procurement.upsertSupplier({ supplier: { ...supplierOf('SUP-CUR'), currencyCode: 'USD' } }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe('SUPPLIER_CURRENCY_CHANGE');
  });
});

describe('demand and buffers', () => {
  it('keeps demand for a SKU nobody sells as unassigned, then moves it into the buffer of its first supplier', async () => {
    const recorded = await t.procurement.recordDemand({ demandId: 'un-1', sku: 'ORPHAN-1', quantity: 3 });
    expect(recorded.supplierId).toBe('');
    await t.procurement.recordDemand({ demandId: 'un-2', sku: 'ORPHAN-1', quantity: 2 });
    const { demands } = await t.procurement.listUnassignedDemand({});
    expect(demands).toEqual([{ sku: 'ORPHAN-1', quantity: 5, oldestDemandTime: clock.now(), declinedQuantity: 0 }]);

    await seedSupplier(t, 'SUP-ORPHAN', {}, [{ sku: 'ORPHAN-1', cents: 250 }]);
    expect((await t.procurement.listUnassignedDemand({})).demands).toEqual([]);
    const { buffer } = await t.procurement.getBuffer({ supplierId: 'SUP-ORPHAN' });
    expect(buffer?.lines).toEqual([{ sku: 'ORPHAN-1', quantity: 5, value: eur(1250), oldestDemandTime: clock.now() }]);
    expect(buffer?.totalValue).toEqual(eur(1250));
  });

  it('records demand once per demand id and refuses a different quantity for the same id', async () => {
    await seedSupplier(t, 'SUP-IDEM', {}, [{ sku: 'IDEM-1' }]);
    const results = await Promise.all(Array.from({ length: 4 }, () => t.procurement.recordDemand({ demandId: 'idem-1', sku: 'IDEM-1', quantity: 4 })));
    expect(new Set(results.map((r) => r.supplierId))).toEqual(new Set(['SUP-IDEM']));
    expect((await t.procurement.getBuffer({ supplierId: 'SUP-IDEM' })).buffer?.totalQuantity).toBe(4);
    const other = await grpcError(t.procurement.recordDemand({ demandId: 'idem-1', sku: 'IDEM-1', quantity: 5 }));
    expect(other.code).toBe(status.ALREADY_EXISTS);
  });

  it('records demands arriving together in one transaction, which tells Orders of all their SKUs at once', async () => {
    await seedSupplier(t, 'SUP-TOGETHER', {}, [{ sku: 'TOG-1' }, { sku: 'TOG-2' }, { sku: 'TOG-3' }]);
    const record = demandRecording(t.app.orms.procurement!, clock);
    // made in one go: the first is recorded at once, the others wait for it and go together in the next transaction
    const demands = ['TOG-1', 'TOG-1', 'TOG-2', 'TOG-3', 'TOG-2', 'TOG-3'].map((sku, i) => ({ demandId: `tog-${i}`, sku, quantity: i + 1 }));
    const recorded = await Promise.all(demands.map((demand) => record(demand)));
    expect(recorded.map((r) => r.supplierId)).toEqual(demands.map(() => 'SUP-TOGETHER'));
    const { buffer } = await t.procurement.getBuffer({ supplierId: 'SUP-TOGETHER' });
    expect(buffer?.lines.map((l) => [l.sku, l.quantity])).toEqual([['TOG-1', 1 + 2], ['TOG-2', 3 + 5], ['TOG-3', 4 + 6]]);
    // the second transaction's ETA refresh: one message per SKU, named after its first demand
    const refreshes = await query<{ dedupeKey: string }>(t.databaseUrl, "SELECT dedupe_key FROM procurement.outbox WHERE topic = 'orders.refresh-etas' AND dedupe_key LIKE 'refresh-etas:TOG-%' ORDER BY dedupe_key");
    expect(refreshes.map((r) => r.dedupeKey)).toEqual(['refresh-etas:TOG-1:demand:tog-0', 'refresh-etas:TOG-1:demand:tog-1', 'refresh-etas:TOG-2:demand:tog-1', 'refresh-etas:TOG-3:demand:tog-1']);
  });

  it('checks the rules of a supplier once for the demands arriving together, and tells each of them the PO released', async () => {
    await seedSupplier(t, 'SUP-ONCE', { minQuantity: 10 }, [{ sku: 'ONCE-1' }, { sku: 'ONCE-2' }]);
    const record = demandRecording(t.app.orms.procurement!, clock);
    const recorded = await Promise.all([1, 4, 4, 4].map((quantity, i) => record({ demandId: `once-${i}`, sku: `ONCE-${(i % 2) + 1}`, quantity })));
    // the first (1 unit) is recorded alone and releases nothing; the other three reach the minimum together
    expect(recorded[0].purchaseOrders).toEqual([]);
    const [po] = recorded[1].purchaseOrders;
    expect(po.lines.map((l) => [l.sku, l.quantity])).toEqual([['ONCE-1', 1 + 4], ['ONCE-2', 4 + 4]]);
    expect(recorded.slice(1).map((r) => r.purchaseOrders.map((o) => o.purchaseOrderId))).toEqual([[po.purchaseOrderId], [po.purchaseOrderId], [po.purchaseOrderId]]);
  });

  it('refuses only the demand that reuses an id with another quantity, among demands arriving together', async () => {
    await seedSupplier(t, 'SUP-REUSE', {}, [{ sku: 'REUSE-1' }]);
    const record = demandRecording(t.app.orms.procurement!, clock);
    await record({ demandId: 'reuse-0', sku: 'REUSE-1', quantity: 2 });
    const answers = await Promise.allSettled([
      record({ demandId: 'reuse-1', sku: 'REUSE-1', quantity: 1 }),
      record({ demandId: 'reuse-2', sku: 'REUSE-1', quantity: 1 }),
      record({ demandId: 'reuse-0', sku: 'REUSE-1', quantity: 9 }),
      record({ demandId: 'reuse-3', sku: 'REUSE-1', quantity: 1 }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((answers[2] as PromiseRejectedResult).reason).toMatchObject({ kind: 'ALREADY_EXISTS' });
    expect((await t.procurement.getBuffer({ supplierId: 'SUP-REUSE' })).buffer?.totalQuantity).toBe(2 + 1 + 1 + 1);
  });

  it('cancels part of a demand, idempotently by request id, and answers NOT_FOUND for an unknown demand', async () => {
    await seedSupplier(t, 'SUP-CXL', {}, [{ sku: 'CXL-1' }]);
    await t.procurement.recordDemand({ demandId: 'cxl-1', sku: 'CXL-1', quantity: 10 });
    expect(await t.procurement.cancelDemand({ demandId: 'cxl-1', quantity: 4, requestId: 'c1' })).toEqual({ cancelledQuantity: 4, onPurchaseOrderQuantity: 0 });
    expect(await t.procurement.cancelDemand({ demandId: 'cxl-1', quantity: 4, requestId: 'c1' })).toEqual({ cancelledQuantity: 4, onPurchaseOrderQuantity: 0 });
    expect((await t.procurement.getBuffer({ supplierId: 'SUP-CXL' })).buffer?.totalQuantity).toBe(6);

    await t.procurement.evaluateBuffers({ supplierId: 'SUP-CXL', force: true });
    await t.procurement.recordDemand({ demandId: 'cxl-2', sku: 'CXL-1', quantity: 2 });
    expect(await t.procurement.cancelDemand({ demandId: 'cxl-1', quantity: 3, requestId: 'c2' })).toEqual({ cancelledQuantity: 0, onPurchaseOrderQuantity: 3 });
    expect(await t.procurement.cancelDemand({ demandId: 'cxl-2', quantity: 0, requestId: 'c3' })).toEqual({ cancelledQuantity: 2, onPurchaseOrderQuantity: 0 });
    expect((await grpcError(t.procurement.cancelDemand({ demandId: 'nope', quantity: 1, requestId: 'c4' }))).code).toBe(status.NOT_FOUND);
  });
});

describe('release', () => {
  it('releases on demand arrival when the minimum quantity is reached, rounding lines to MOQ and packs', async () => {
    await seedSupplier(t, 'SUP-MINQ', { minQuantity: 10 }, [
      { sku: 'MINQ-1', packSize: 6, cents: 150 },
      { sku: 'MINQ-2', minOrderQuantity: 8, cents: 99 },
    ]);
    expect((await t.procurement.recordDemand({ demandId: 'mq-1', sku: 'MINQ-1', quantity: 7 })).purchaseOrders).toEqual([]);
    const { purchaseOrders } = await t.procurement.recordDemand({ demandId: 'mq-2', sku: 'MINQ-2', quantity: 3 });
    expect(purchaseOrders).toHaveLength(1);
    const [po] = purchaseOrders;
    expect(po.number).toMatch(/^PO-2026-\d{6}$/); // the number suppliers see counts up; the id the API acts on does not
    expect(po.purchaseOrderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(po.trigger).toBe(ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY);
    expect(po.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED);
    expect(po.lines.map((l) => [l.sku, l.supplierSku, l.demandedQuantity, l.quantity])).toEqual([
      ['MINQ-1', 'S-MINQ-1', 7, 12],
      ['MINQ-2', 'S-MINQ-2', 3, 8],
    ]);
    expect(po.total).toEqual(eur(12 * 150 + 8 * 99));
    expect(po.requestedDeliveryTime).toEqual(new Date(clock.now().getTime() + 7 * 86_400_000));
    expect((await t.procurement.getBuffer({ supplierId: 'SUP-MINQ' })).buffer?.totalQuantity).toBe(0);
    expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder).toEqual(po);
  });

  it('releases on the schedule at the first evaluation at or after it, and not from an empty buffer', async () => {
    clock.set('2026-03-02T08:00:00Z');
    await seedSupplier(t, 'SUP-SCHED', {}, [{ sku: 'SCHED-1' }]);
    await seedSupplier(t, 'SUP-EMPTY', {}, [{ sku: 'EMPTY-1' }]);
    await t.procurement.recordDemand({ demandId: 'sc-1', sku: 'SCHED-1', quantity: 1 });
    expect((await t.procurement.evaluateBuffers({ asOfTime: new Date('2026-03-02T08:59:59Z'), supplierId: 'SUP-SCHED' })).purchaseOrders).toEqual([]);
    const fired = await t.procurement.evaluateBuffers({ asOfTime: new Date('2026-03-02T09:00:30Z') });
    const mine = fired.purchaseOrders.filter((p) => p.supplierId === 'SUP-SCHED' || p.supplierId === 'SUP-EMPTY');
    expect(mine.map((p) => [p.supplierId, p.trigger])).toEqual([['SUP-SCHED', ReleaseTrigger.RELEASE_TRIGGER_SCHEDULE]]);
    expect(mine[0].createTime).toEqual(new Date('2026-03-02T09:00:30Z'));
    expect((await t.procurement.getBuffer({ supplierId: 'SUP-EMPTY' })).buffer?.nextReleaseTime).toEqual(new Date('2026-03-09T09:00:00Z'));
  });

  it('lists purchase orders by supplier and status, page by page', async () => {
    await seedSupplier(t, 'SUP-LIST', {}, [{ sku: 'LIST-1' }]);
    for (let i = 0; i < 3; i++) {
      await t.procurement.recordDemand({ demandId: `list-${i}`, sku: 'LIST-1', quantity: 1 });
      clock.set(`2026-03-0${3 + i}T08:00:00Z`);
      await t.procurement.evaluateBuffers({ supplierId: 'SUP-LIST', force: true });
    }
    const first = await t.procurement.listPurchaseOrders({ supplierId: 'SUP-LIST', pageSize: 2 });
    expect(first.purchaseOrders.map((p) => p.createTime)).toEqual([new Date('2026-03-05T08:00:00Z'), new Date('2026-03-04T08:00:00Z')]);
    const second = await t.procurement.listPurchaseOrders({ supplierId: 'SUP-LIST', pageSize: 2, pageToken: first.nextPageToken });
    expect(second.purchaseOrders.map((p) => p.trigger)).toEqual([ReleaseTrigger.RELEASE_TRIGGER_MANUAL]);
    expect(second.nextPageToken).toBe('');
    const sent = await t.procurement.listPurchaseOrders({ supplierId: 'SUP-LIST', status: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT });
    expect(sent.purchaseOrders).toEqual([]);
  });
});

describe('release rules over gRPC', () => {
  const T0 = '2026-03-02T08:00:00Z';
  const never = '0 10 1 1 *'; // 1 January: keeps the schedule out of threshold cases
  const at = (offsetMs: number) => new Date(new Date(T0).getTime() + offsetMs);
  const DAY = 86_400_000;
  it.each([
    ['min quantity fires on arrival', { minQuantity: 5, releaseSchedule: never }, 5, null, ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY],
    ['min quantity one short', { minQuantity: 5, releaseSchedule: never }, 4, at(DAY), null],
    ['min value fires on arrival', { minValue: eur(5000), releaseSchedule: never }, 5, null, ReleaseTrigger.RELEASE_TRIGGER_MIN_VALUE],
    ['min value one unit short', { minValue: eur(5000), releaseSchedule: never }, 4, at(DAY), null],
    ['max wait reached', { maxWaitDays: 2, releaseSchedule: never }, 1, at(2 * DAY), ReleaseTrigger.RELEASE_TRIGGER_MAX_WAIT],
    ['max wait a second short', { maxWaitDays: 2, releaseSchedule: never }, 1, at(2 * DAY - 1000), null],
    ['schedule at 10:00 Berlin', {}, 1, new Date('2026-03-02T09:00:00Z'), ReleaseTrigger.RELEASE_TRIGGER_SCHEDULE],
    ['schedule a second early', {}, 1, new Date('2026-03-02T08:59:59Z'), null],
    ['paused holds thresholds and schedule', { minQuantity: 1, maxWaitDays: 1, paused: true }, 3, at(30 * DAY), null],
  ] as const)('%s', async (name, policy, quantity, asOf, expected) => {
    clock.set(T0);
    const id = `RULE-${name.replace(/\W+/g, '-').toUpperCase()}`.slice(0, 60);
    await seedSupplier(t, id, policy, [{ sku: id, cents: 1000 }]);
    const arrival = await t.procurement.recordDemand({ demandId: `${id}-d`, sku: id, quantity });
    const released = asOf === null ? arrival.purchaseOrders : (await t.procurement.evaluateBuffers({ asOfTime: asOf, supplierId: id })).purchaseOrders;
    expect(released.map((po) => po.trigger)).toEqual(expected === null ? [] : [expected]);
    if (asOf !== null) expect(arrival.purchaseOrders).toEqual([]);
  });

  it('releases the Monday 10:00 Berlin schedule at 08:00 UTC after the spring DST change', async () => {
    clock.set('2026-03-24T12:00:00Z');
    await seedSupplier(t, 'RULE-DST', {}, [{ sku: 'RULE-DST' }]);
    await t.procurement.recordDemand({ demandId: 'dst-d', sku: 'RULE-DST', quantity: 1 });
    expect((await t.procurement.getBuffer({ supplierId: 'RULE-DST' })).buffer?.nextReleaseTime).toEqual(new Date('2026-03-30T08:00:00Z'));
    expect((await t.procurement.evaluateBuffers({ supplierId: 'RULE-DST', asOfTime: new Date('2026-03-30T07:59:59Z') })).purchaseOrders).toEqual([]);
    const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId: 'RULE-DST', asOfTime: new Date('2026-03-30T08:00:00Z') });
    expect(purchaseOrders.map((po) => po.trigger)).toEqual([ReleaseTrigger.RELEASE_TRIGGER_SCHEDULE]);
    expect((await t.procurement.getBuffer({ supplierId: 'RULE-DST' })).buffer?.nextReleaseTime).toEqual(new Date('2026-04-06T08:00:00Z'));
  });

  it('releases a paused buffer only by force, as MANUAL', async () => {
    clock.set(T0);
    await seedSupplier(t, 'RULE-FORCE', { paused: true }, [{ sku: 'RULE-FORCE' }]);
    await t.procurement.recordDemand({ demandId: 'force-d', sku: 'RULE-FORCE', quantity: 2 });
    expect((await t.procurement.getBuffer({ supplierId: 'RULE-FORCE' })).buffer?.nextReleaseTime).toBeUndefined();
    const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId: 'RULE-FORCE', force: true });
    expect(purchaseOrders.map((po) => [po.trigger, po.lines[0].quantity])).toEqual([[ReleaseTrigger.RELEASE_TRIGGER_MANUAL, 2]]);
    expect((await t.procurement.evaluateBuffers({ supplierId: 'RULE-FORCE', force: true })).purchaseOrders).toEqual([]);
  });
});

describe('preferred supplier', () => {
  it('serves a SKU from its preferred supplier, else the one that sold it first; buffered demand follows a change', async () => {
    clock.set('2026-03-02T08:00:00Z');
    await seedSupplier(t, 'PREF-OLD', {}, [{ sku: 'PREF-1' }]);
    await seedSupplier(t, 'PREF-NEW', {}, [{ sku: 'PREF-1' }]);
    expect((await t.procurement.recordDemand({ demandId: 'pref-1', sku: 'PREF-1', quantity: 2 })).supplierId).toBe('PREF-OLD');
    await t.procurement.upsertSupplierProduct({
      supplierProduct: { supplierId: 'PREF-NEW', sku: 'PREF-1', supplierSku: 'N-1', unitCost: eur(900), packSize: 1, preferred: true },
    });
    expect((await t.procurement.recordDemand({ demandId: 'pref-2', sku: 'PREF-1', quantity: 1 })).supplierId).toBe('PREF-NEW');
    expect((await t.procurement.getBuffer({ supplierId: 'PREF-NEW' })).buffer?.totalQuantity).toBe(3);
    expect((await t.procurement.getBuffer({ supplierId: 'PREF-OLD' })).buffer?.totalQuantity).toBe(0);
    await t.procurement.upsertSupplierProduct({
      supplierProduct: { supplierId: 'PREF-OLD', sku: 'PREF-1', supplierSku: 'S-PREF-1', unitCost: eur(1000), packSize: 1, preferred: true },
    });
    expect((await t.procurement.getBuffer({ supplierId: 'PREF-OLD' })).buffer?.totalQuantity).toBe(3);
  });
});

describe('concurrent demand', () => {
  it('puts every unit of concurrently arriving demand on exactly one PO while thresholds fire', async () => {
    await seedSupplier(t, 'RACE', { minQuantity: 7, releaseSchedule: '0 10 1 1 *' }, [{ sku: 'RACE-1' }, { sku: 'RACE-2' }]);
    const demands = Array.from({ length: 60 }, (_, i) => ({ demandId: `race-${i}`, sku: `RACE-${(i % 2) + 1}`, quantity: (i % 3) + 1 }));
    await Promise.all(demands.map((d) => t.procurement.recordDemand(d)));
    await t.procurement.evaluateBuffers({ supplierId: 'RACE', force: true });
    const { purchaseOrders } = await t.procurement.listPurchaseOrders({ supplierId: 'RACE', pageSize: 1000 });
    const demanded = purchaseOrders.flatMap((po) => po.lines).reduce((sum, l) => sum + l.demandedQuantity, 0);
    expect(demanded).toBe(demands.reduce((sum, d) => sum + d.quantity, 0));
    expect((await t.procurement.getBuffer({ supplierId: 'RACE' })).buffer?.totalQuantity).toBe(0);
    expect(purchaseOrders.some((po) => po.trigger === ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY)).toBe(true);
    await expectDemandsOnOnePurchaseOrder(t.databaseUrl, demands);
  });
});
