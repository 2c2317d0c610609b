import { status } from '@grpc/grpc-js';
import { BufferOrder } from '../src/gen/restock/procurement/v1/procurement_service';
import { NextReleaseRule } from '../src/gen/restock/procurement/v1/buffer';
import { ReleaseTrigger } from '../src/gen/restock/procurement/v1/purchase_order';
import { query } from './support/db';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { eur, seedSupplier, supplierOf, TestClock } from './support/procurement-fixtures';

const clock = new TestClock(new Date('2026-03-02T08:00:00Z')); // a Monday, 09:00 in Berlin
let t: TestApp;
let planner: TestApp['procurement'];
beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
  planner = t.clientsAs({ sub: 'planner@example.com', roles: ['planner'] }).procurement;
});
afterAll(() => t.stop());

const usd = (cents: number) => ({ ...eur(cents), currencyCode: 'USD' });

describe('UpdateBufferPolicy with an update mask', () => {
  it('changes only the named fields: min_quantity alone keeps the schedule, the pause and the other thresholds', async () => {
    clock.set('2026-03-02T08:00:00Z');
    const before = { minQuantity: 5, minValue: eur(5000), releaseSchedule: '0 8 * * 1-5', maxWaitDays: 3, paused: true };
    await seedSupplier(t, 'MASK', before, [{ sku: 'MASK-1' }]);
    const { supplier } = await planner.updateBufferPolicy({ supplierId: 'MASK', policy: { minQuantity: 20 }, updateMask: ['min_quantity'], reason: 'bigger orders' });
    expect(supplier?.bufferPolicy).toEqual({ ...before, minQuantity: 20 });
    expect((await t.procurement.getBuffer({ supplierId: 'MASK' })).buffer?.nextReleaseTime).toBeUndefined(); // still paused

    const [change] = (await t.procurement.listPolicyChanges({ supplierId: 'MASK' })).policyChanges;
    expect([change.updatedBy, change.reason, change.oldPolicy, change.newPolicy]).toEqual(['planner@example.com', 'bigger orders', before, { ...before, minQuantity: 20 }]);

    // Fields the mask does not name are ignored, even when they would be invalid; "paused" alone unpauses.
    const unpaused = await planner.updateBufferPolicy({ supplierId: 'MASK', policy: { paused: false, releaseSchedule: 'not a cron', maxWaitDays: -4 }, updateMask: ['paused'], reason: 'go' });
    expect(unpaused.supplier?.bufferPolicy).toEqual({ ...before, minQuantity: 20, paused: false });
    expect((await t.procurement.getBuffer({ supplierId: 'MASK' })).buffer?.nextReleaseTime).toEqual(new Date('2026-03-03T07:00:00Z')); // 08:00 Berlin, next weekday
  });

  it('refuses unknown paths, naming each, and changes nothing', async () => {
    const changes = (await t.procurement.listPolicyChanges({ supplierId: 'MASK' })).policyChanges.length;
    const error = await grpcError(planner.updateBufferPolicy({ supplierId: 'MASK', policy: { minQuantity: 1 }, updateMask: ['min_quantity', 'colour', 'buffer_policy.paused'], reason: 'x' }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(['update_mask.paths[1]', 'update_mask.paths[2]']);
    expect(error.violations[0].description).toContain('"colour"');
    expect(error.violations[1].description).toContain('"buffer_policy.paused"');
    expect((await t.procurement.listPolicyChanges({ supplierId: 'MASK' })).policyChanges).toHaveLength(changes);
    expect((await t.procurement.getSupplier({ supplierId: 'MASK' })).supplier?.bufferPolicy?.minQuantity).toBe(20);
  });

  it('replaces the whole policy without a mask (and with "*"), unset fields taking their defaults', async () => {
    const { supplier } = await planner.updateBufferPolicy({ supplierId: 'MASK', policy: { minQuantity: 7 }, reason: 'whole' });
    expect(supplier?.bufferPolicy).toEqual({ minQuantity: 7, minValue: eur(0), releaseSchedule: '0 10 * * 1', maxWaitDays: 0, paused: false });
    const star = await planner.updateBufferPolicy({ supplierId: 'MASK', policy: { maxWaitDays: 2 }, updateMask: ['*'], reason: 'star' });
    expect(star.supplier?.bufferPolicy).toEqual({ minQuantity: 0, minValue: eur(0), releaseSchedule: '0 10 * * 1', maxWaitDays: 2, paused: false });
    const masked = await planner.updateBufferPolicy({ supplierId: 'MASK', policy: { minValue: eur(123) }, updateMask: ['min_value', 'min_quantity'], reason: 'value' });
    expect(masked.supplier?.bufferPolicy).toEqual({ minQuantity: 0, minValue: eur(123), releaseSchedule: '0 10 * * 1', maxWaitDays: 2, paused: false });
  });
});

describe('ListBuffers', () => {
  const NEVER = '0 10 1 1 *';
  beforeAll(async () => {
    clock.set('2026-03-02T07:59:00Z');
    await seedSupplier(t, 'LB-A', { minQuantity: 10 }, [{ sku: 'LB-A1', cents: 250 }, { sku: 'LB-A2', cents: 100 }]);
    await seedSupplier(t, 'LB-B', { minValue: eur(10000), paused: true }, [{ sku: 'LB-B1', cents: 2000 }]);
    await seedSupplier(t, 'LB-C', { maxWaitDays: 2, releaseSchedule: NEVER }, [{ sku: 'LB-C1', cents: 100 }]);
    await seedSupplier(t, 'LB-D', {}, [{ sku: 'LB-D1' }]);
    await seedSupplier(t, 'LB-E', { minQuantity: 2, paused: true }, [{ sku: 'LB-E1', cents: 300 }]);
    await t.procurement.upsertSupplier({ supplier: { ...supplierOf('LB-USD'), currencyCode: 'USD' } });
    await t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'LB-USD', sku: 'LB-U1', supplierSku: 'U1', unitCost: usd(10000), packSize: 1 } });
    const demand = [['08:00', 'LB-A1', 3], ['08:01', 'LB-C1', 1], ['08:02', 'LB-E1', 5], ['08:03', 'LB-U1', 1], ['08:05', 'LB-B1', 2], ['08:10', 'LB-A2', 4]] as const;
    for (const [time, sku, quantity] of demand) {
      clock.set(`2026-03-02T${time}:00Z`);
      expect((await t.procurement.recordDemand({ demandId: `lb-${sku}`, sku, quantity })).purchaseOrders).toEqual([]);
    }
    clock.set('2026-03-02T08:20:00Z');
    // Unpausing does not evaluate: LB-E's min quantity holds and waits for the next tick.
    await planner.updateBufferPolicy({ supplierId: 'LB-E', policy: { paused: false }, updateMask: ['paused'], reason: 'resume' });
    clock.set('2026-03-02T08:30:00Z');
  });
  const list = (request: Parameters<TestApp['procurement']['listBuffers']>[0] = {}) => planner.listBuffers({ supplierName: 'lb-', ...request });
  const ids = async (request: Parameters<TestApp['procurement']['listBuffers']>[0] = {}) => (await list(request)).buffers.map((b) => b.supplierId);

  it('shows units, value, lines, age, progress and the next release with its rule', async () => {
    const { buffers, asOfTime } = await list();
    expect(asOfTime).toEqual(new Date('2026-03-02T08:30:00Z'));
    const byId = Object.fromEntries(buffers.map((b) => [b.supplierId, b]));
    expect(byId['LB-A']).toEqual({
      supplierId: 'LB-A',
      supplierName: 'Supplier LB-A',
      totalQuantity: 7,
      totalValue: eur(1150),
      lines: [
        { sku: 'LB-A1', quantity: 3, value: eur(750), oldestDemandTime: new Date('2026-03-02T08:00:00Z') },
        { sku: 'LB-A2', quantity: 4, value: eur(400), oldestDemandTime: new Date('2026-03-02T08:10:00Z') },
      ],
      oldestDemandTime: new Date('2026-03-02T08:00:00Z'),
      oldestDemandAge: { seconds: 30 * 60, nanos: 0 },
      nextReleaseTime: new Date('2026-03-02T09:00:00Z'), // Monday 10:00 Berlin
      nextReleaseRule: NextReleaseRule.NEXT_RELEASE_RULE_SCHEDULE,
      minQuantity: 10,
      minValue: eur(0),
      minQuantityProgress: 0.7,
      minValueProgress: 0,
      paused: false,
      scheduledReleaseTime: new Date('2026-03-02T09:00:00Z'),
    });
    expect(byId['LB-B']).toMatchObject({ totalValue: eur(4000), minValueProgress: 0.4, paused: true, nextReleaseRule: NextReleaseRule.NEXT_RELEASE_RULE_PAUSED });
    expect(byId['LB-B'].nextReleaseTime).toBeUndefined();
    expect(byId['LB-B'].scheduledReleaseTime).toBeUndefined();
    expect(byId['LB-C']).toMatchObject({ nextReleaseTime: new Date('2026-03-04T08:01:00Z'), nextReleaseRule: NextReleaseRule.NEXT_RELEASE_RULE_MAX_WAIT });
    expect(byId['LB-D']).toMatchObject({ totalQuantity: 0, totalValue: eur(0), lines: [], nextReleaseRule: NextReleaseRule.NEXT_RELEASE_RULE_EMPTY });
    expect(byId['LB-D'].oldestDemandAge).toBeUndefined();
    expect(byId['LB-E']).toMatchObject({ nextReleaseTime: new Date('2026-03-02T08:30:00Z'), nextReleaseRule: NextReleaseRule.NEXT_RELEASE_RULE_MIN_QUANTITY, minQuantityProgress: 2.5 });
    expect(byId['LB-USD']).toMatchObject({ totalValue: usd(10000), lines: [{ sku: 'LB-U1', quantity: 1, value: usd(10000), oldestDemandTime: new Date('2026-03-02T08:03:00Z') }] });
  });

  it('orders by next release, age or value (per currency), and by supplier id by default', async () => {
    expect(await ids()).toEqual(['LB-A', 'LB-B', 'LB-C', 'LB-D', 'LB-E', 'LB-USD']);
    expect(await ids({ orderBy: BufferOrder.BUFFER_ORDER_NEXT_RELEASE })).toEqual(['LB-E', 'LB-A', 'LB-USD', 'LB-C', 'LB-B', 'LB-D']);
    expect(await ids({ orderBy: BufferOrder.BUFFER_ORDER_AGE })).toEqual(['LB-A', 'LB-C', 'LB-E', 'LB-USD', 'LB-B', 'LB-D']);
    expect(await ids({ orderBy: BufferOrder.BUFFER_ORDER_VALUE })).toEqual(['LB-B', 'LB-E', 'LB-A', 'LB-C', 'LB-D', 'LB-USD']);
  });

  it('filters on due before a time, paused and supplier name', async () => {
    expect(await ids({ dueBeforeTime: new Date('2026-03-02T09:00:01Z') })).toEqual(['LB-A', 'LB-E', 'LB-USD']);
    expect(await ids({ dueBeforeTime: new Date('2026-03-02T09:00:00Z') })).toEqual(['LB-E']);
    expect(await ids({ paused: true })).toEqual(['LB-B']);
    expect(await ids({ paused: false, orderBy: BufferOrder.BUFFER_ORDER_AGE })).toEqual(['LB-A', 'LB-C', 'LB-E', 'LB-USD', 'LB-D']);
    expect(await ids({ supplierName: 'lb-u' })).toEqual(['LB-USD']);
    expect(await ids({ supplierName: 'SUPPLIER LB-C' })).toEqual(['LB-C']);
    expect(await ids({ supplierName: 'lb-%' })).toEqual([]); // no wildcards
  });

  it('pages through in order, each page worked out at the first page time', async () => {
    const seen: string[] = [];
    let pageToken = '';
    const first = await list({ orderBy: BufferOrder.BUFFER_ORDER_NEXT_RELEASE, pageSize: 2 });
    for (let page = first; ; ) {
      seen.push(...page.buffers.map((b) => b.supplierId));
      expect(page.asOfTime).toEqual(first.asOfTime);
      expect(page.buffers.length).toBeLessThanOrEqual(2);
      if (!page.nextPageToken) break;
      pageToken = page.nextPageToken;
      clock.set('2026-03-02T08:45:00Z'); // later pages keep the first page's time
      page = await list({ orderBy: BufferOrder.BUFFER_ORDER_NEXT_RELEASE, pageSize: 2, pageToken });
    }
    clock.set('2026-03-02T08:30:00Z');
    expect(seen).toEqual(['LB-E', 'LB-A', 'LB-USD', 'LB-C', 'LB-B', 'LB-D']);
    const valuePages = await list({ orderBy: BufferOrder.BUFFER_ORDER_VALUE, pageSize: 5 });
    expect((await list({ orderBy: BufferOrder.BUFFER_ORDER_VALUE, pageToken: valuePages.nextPageToken })).buffers.map((b) => b.supplierId)).toEqual(['LB-USD']);
    // A token of another order is not accepted.
    const wrong = await grpcError(list({ orderBy: BufferOrder.BUFFER_ORDER_AGE, pageToken }));
    expect(wrong.violations.map((v) => v.field)).toEqual(['page_token']);
  });

  it('refuses a negative page size, a bad token, an unknown order and a long name, all at once', async () => {
    const error = await grpcError(planner.listBuffers({ pageSize: -1, orderBy: 42 as BufferOrder, supplierName: 'x'.repeat(201) }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(['page_size', 'supplier_name', 'order_by']);
    const token = await grpcError(planner.listBuffers({ pageToken: 'bm9wZQ' }));
    expect(token.violations.map((v) => v.field)).toEqual(['page_token']);
  });
});

/** Rows that a release writes or changes, to show that a preview touched none of them. */
async function releaseFootprint(): Promise<unknown> {
  const [counts] = await query<Record<string, number>>(
    t.databaseUrl,
    `SELECT (SELECT count(*)::int FROM procurement.purchase_order) AS orders, (SELECT count(*)::int FROM procurement.purchase_order_line) AS lines,
       (SELECT count(*)::int FROM procurement.purchase_order_demand) AS demand, (SELECT count(*)::int FROM procurement.outbox) AS outbox,
       (SELECT count(*)::int FROM procurement.buffered_demand) AS buffered, (SELECT coalesce(sum(quantity), 0)::int FROM procurement.buffered_demand) AS units`,
  );
  const schedules = await query(t.databaseUrl, 'SELECT supplier_id, next_release_time, update_time FROM procurement.supplier ORDER BY supplier_id');
  return { counts, schedules };
}

describe('PreviewRelease', () => {
  beforeAll(async () => {
    clock.set('2026-03-09T07:00:00Z'); // Monday 08:00 Berlin
    await seedSupplier(t, 'PV-1', {}, [{ sku: 'PV-P1', packSize: 6, cents: 150 }, { sku: 'PV-P2', minOrderQuantity: 8, cents: 99 }]);
    await seedSupplier(t, 'PV-2', { maxWaitDays: 1, releaseSchedule: '0 10 1 1 *' }, [{ sku: 'PV-P3', packSize: 4, cents: 500 }]);
    await seedSupplier(t, 'PV-3', { paused: true }, [{ sku: 'PV-P4', cents: 100 }]);
    for (const [sku, quantity] of [['PV-P1', 4], ['PV-P2', 3], ['PV-P3', 5], ['PV-P4', 2], ['PV-P1', 3]] as const) {
      await t.procurement.recordDemand({ demandId: `pv-${sku}-${quantity}`, sku, quantity });
    }
  });
  const mine = <T extends { supplierId: string }>(orders: T[]) => orders.filter((o) => o.supplierId.startsWith('PV-'));

  it('shows the POs a release would create at a time, rounded to MOQs and packs, and writes nothing', async () => {
    const before = await releaseFootprint();
    expect((await planner.previewRelease({ supplierId: 'PV-1', asOfTime: new Date('2026-03-09T08:59:59Z') })).purchaseOrders).toEqual([]);
    const asOf = new Date('2026-03-10T09:00:00Z');
    const { purchaseOrders, asOfTime } = await planner.previewRelease({ asOfTime: asOf });
    expect(asOfTime).toEqual(asOf);
    expect(mine(purchaseOrders).map((po) => [po.supplierId, po.trigger, po.total, po.lines.map((l) => [l.sku, l.supplierSku, l.demandedQuantity, l.quantity, l.unitCost])])).toEqual([
      ['PV-1', ReleaseTrigger.RELEASE_TRIGGER_SCHEDULE, eur(12 * 150 + 8 * 99), [['PV-P1', 'S-PV-P1', 7, 12, eur(150)], ['PV-P2', 'S-PV-P2', 3, 8, eur(99)]]],
      ['PV-2', ReleaseTrigger.RELEASE_TRIGGER_MAX_WAIT, eur(8 * 500), [['PV-P3', 'S-PV-P3', 5, 8, eur(500)]]],
    ]);
    expect(purchaseOrders[0].requestedDeliveryTime).toEqual(new Date('2026-03-17T09:00:00Z'));
    const forced = await planner.previewRelease({ supplierId: 'PV-3', force: true });
    expect(forced.purchaseOrders.map((po) => [po.supplierId, po.trigger, po.lines[0].quantity])).toEqual([['PV-3', ReleaseTrigger.RELEASE_TRIGGER_MANUAL, 2]]);
    expect(forced.asOfTime).toEqual(clock.now());
    expect(await releaseFootprint()).toEqual(before);
  });

  it('matches what EvaluateBuffers then really releases', async () => {
    const asOfTime = new Date('2026-03-10T09:00:00Z');
    for (const supplierId of ['PV-1', 'PV-2']) {
      const [preview] = (await planner.previewRelease({ supplierId, asOfTime })).purchaseOrders;
      const [released] = (await planner.evaluateBuffers({ supplierId, asOfTime })).purchaseOrders;
      expect(preview).toEqual({
        supplierId: released.supplierId,
        trigger: released.trigger,
        total: released.total,
        requestedDeliveryTime: released.requestedDeliveryTime,
        lines: released.lines,
      });
      expect((await planner.previewRelease({ supplierId, asOfTime })).purchaseOrders).toEqual([]);
    }
  });

  it('answers NOT_FOUND for an unknown supplier and INVALID_ARGUMENT for a bad id', async () => {
    expect((await grpcError(planner.previewRelease({ supplierId: 'PV-NOPE' }))).code).toBe(status.NOT_FOUND);
    const bad = await grpcError(planner.previewRelease({ supplierId: 'has space' }));
    expect([bad.code, bad.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['supplier_id']]);
  });
});

describe('SimulatePolicy', () => {
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  beforeAll(async () => {
    // Mondays 10:00 UTC; two units of SIM-A (packs of 3) every day at 12:00 from 2 to 11 March.
    clock.set('2026-03-01T00:00:00Z');
    await t.procurement.upsertSupplier({ supplier: { ...supplierOf('SIM', { minQuantity: 4 }), timeZone: 'UTC' } });
    await t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'SIM', sku: 'SIM-A', supplierSku: 'SA', unitCost: eur(150), packSize: 3 } });
    for (let day = 2; day <= 11; day++) {
      clock.set(`2026-03-${String(day).padStart(2, '0')}T12:00:00Z`);
      await t.procurement.recordDemand({ demandId: `sim-${day}`, sku: 'SIM-A', quantity: 2 });
    }
    // The demand of 11 March is cancelled the next day. Here it is already on a PO (the min quantity released it
    // on arrival); the replays, where it is still buffered, take it out.
    clock.set('2026-03-12T12:00:00Z');
    expect(await t.procurement.cancelDemand({ demandId: 'sim-11', quantity: 0, requestId: 'sim-cancel' })).toEqual({ cancelledQuantity: 0, onPurchaseOrderQuantity: 2 });
    clock.set('2026-03-20T00:00:00Z');
  });

  it('replays the recorded demand: a higher min quantity makes fewer, larger POs than the current policy', async () => {
    const result = await planner.simulatePolicy({ supplierId: 'SIM', proposedPolicy: { minQuantity: 10 }, startTime: new Date('2026-03-01T00:00:00Z') });
    expect([result.startTime, result.endTime]).toEqual([new Date('2026-03-01T00:00:00Z'), new Date('2026-03-20T00:00:00Z')]);
    const { proposed, current } = result;
    const releases = (sim: typeof proposed) => sim!.releases.map((r) => [r.releaseTime!.toISOString(), r.trigger, r.lines[0].demandedQuantity, r.lines[0].quantity]);
    // Current (min 4): every second day, and the schedule takes the odd one; the cancelled demand is never ordered.
    expect(releases(current)).toEqual([
      ['2026-03-03T12:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY, 4, 6],
      ['2026-03-05T12:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY, 4, 6],
      ['2026-03-07T12:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY, 4, 6],
      ['2026-03-09T10:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_SCHEDULE, 2, 3],
      ['2026-03-10T12:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY, 4, 6],
    ]);
    // Proposed (min 10): 2-6 March at once, then the schedule.
    expect(releases(proposed)).toEqual([
      ['2026-03-06T12:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY, 10, 12],
      ['2026-03-09T10:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_SCHEDULE, 4, 6],
      ['2026-03-16T10:00:00.000Z', ReleaseTrigger.RELEASE_TRIGGER_SCHEDULE, 4, 6],
    ]);
    expect(current).toMatchObject({ purchaseOrderCount: 5, demandedQuantity: 18, orderedQuantity: 27, surplusQuantity: 9, unreleasedQuantity: 0 });
    expect(proposed).toMatchObject({ purchaseOrderCount: 3, demandedQuantity: 18, orderedQuantity: 24, surplusQuantity: 6, unreleasedQuantity: 0 });
    expect([proposed?.totalValue, proposed?.averagePurchaseOrderValue]).toEqual([eur(3600), eur(1200)]);
    expect([current?.totalValue, current?.averagePurchaseOrderValue]).toEqual([eur(4050), eur(810)]);
    // Proposed waits: 4, 3, 2, 1, 0 days; 46 and 22 hours; 166 and 142 hours.
    expect(proposed?.maxWait).toEqual({ seconds: (166 * HOUR) / 1000, nanos: 0 });
    expect(proposed?.p90Wait).toEqual({ seconds: (166 * HOUR) / 1000, nanos: 0 });
    expect(proposed?.averageWait).toEqual({ seconds: ((96 + 72 + 48 + 24 + 0 + 46 + 22 + 166 + 142) * HOUR) / 9 / 1000, nanos: 0 });
    expect(current?.maxWait).toEqual({ seconds: DAY / 1000, nanos: 0 });
    expect(proposed?.policy).toEqual({ minQuantity: 10, minValue: eur(0), releaseSchedule: '0 10 * * 1', maxWaitDays: 0, paused: false });
    expect(current?.policy?.minQuantity).toBe(4);
  });

  it('defaults to the 13 weeks up to now, and writes nothing', async () => {
    const before = await releaseFootprint();
    const result = await planner.simulatePolicy({ supplierId: 'SIM', proposedPolicy: { minQuantity: 10 } });
    expect([result.startTime, result.endTime]).toEqual([new Date(clock.now().getTime() - 13 * 7 * DAY), clock.now()]);
    expect(result.proposed?.purchaseOrderCount).toBe(3);
    expect(await releaseFootprint()).toEqual(before);
  });

  it('refuses a bad window and a bad proposed policy with field violations', async () => {
    const error = await grpcError(
      planner.simulatePolicy({
        supplierId: 'SIM',
        proposedPolicy: { minQuantity: -1, releaseSchedule: '99 * * * *', maxWaitDays: 0 },
        startTime: new Date('2026-03-25T00:00:00Z'),
        endTime: new Date('2026-03-21T00:00:00Z'),
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(['end_time', 'start_time', 'proposed_policy.min_quantity', 'proposed_policy.release_schedule']);
    const missing = await grpcError(planner.simulatePolicy({ supplierId: 'SIM', startTime: new Date('2025-01-01T00:00:00Z') }));
    expect(missing.violations.map((v) => v.field)).toEqual(['proposed_policy', 'start_time']);
    const currency = await grpcError(planner.simulatePolicy({ supplierId: 'SIM', proposedPolicy: { minValue: usd(100) } }));
    expect(currency.violations.map((v) => v.field)).toEqual(['proposed_policy.min_value.currency_code']);
    expect((await grpcError(planner.simulatePolicy({ supplierId: 'NOPE', proposedPolicy: {} }))).code).toBe(status.NOT_FOUND);
  });
});
