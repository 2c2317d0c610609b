import { status } from '@grpc/grpc-js';
import { insertMessages, leaseDueMessages, recordOutcomes } from '../src/platform/outbox.repository';
import { sqlOf } from '../src/platform/orm';
import { query } from './support/db';
import { order, outbox, product, settle } from './support/fixtures';
import { grpcError, startTestApp, waitFor, type TestApp } from './support/harness';
import { seedSupplier, TestClock } from './support/procurement-fixtures';
import { parsePrometheus, scrape, type Scrape } from './support/prometheus';

const ORDERS = 'restock.orders.v1.OrdersService';
const INVENTORY = 'restock.inventory.v1.InventoryService';
const PROCUREMENT = 'restock.procurement.v1.ProcurementService';
const BUCKETS = ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '+Inf'];

const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let t: TestApp;
const metrics = () => scrape(`http://127.0.0.1:${t.app.metricsPort}/metrics`);

beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
});
afterAll(() => t.stop());

/** The server and client counters, and the histogram count, of one method and code. */
function calls(s: Scrape, side: 'server' | 'client', service: string, method: string, code: keyof typeof status): number {
  const labels = { service, method, code };
  const handled = s.maybe(`restock_grpc_${side}_handled_total`, labels) ?? 0;
  expect(s.maybe(`restock_grpc_${side}_handling_seconds_count`, labels) ?? 0).toBe(handled);
  return handled;
}

it('serves Prometheus text: RPCs on both sides, outbox, backorders, buffers, POs, pool and process', async () => {
  expect(t.app.metricsPort).toBeGreaterThan(0);
  await product(t, 'MX-A', { onHand: 2, price: 10 });
  await product(t, 'MX-B', { price: 4 });
  await product(t, 'MX-C', { price: 7 });
  await seedSupplier(t, 'ACME', {}, [
    { sku: 'MX-A', cents: 350 },
    { sku: 'MX-B', cents: 200 },
  ]);
  await t.procurement.upsertSupplier({ supplier: { supplierId: 'YANK', name: 'Yank', email: 'po@yank.example', timeZone: 'America/New_York', quotedLeadTimeDays: 3, currencyCode: 'USD' } });
  await t.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId: 'YANK', sku: 'MX-C', supplierSku: 'Y-C', unitCost: { currencyCode: 'USD', units: 1, nanos: 250_000_000 }, packSize: 1 },
  });

  // Three orders that backorder 3 + 4 + 2 units on three lines; one bad request; one caller without the role.
  const placed = [await order(t, [['MX-A', 5]], { customer: 'ann' }), await order(t, [['MX-B', 4]], { customer: 'bob' }), await order(t, [['MX-C', 2]], { customer: 'cyd' })];
  expect(placed.map(({ order: o }) => o!.lines[0].backorderedQuantity)).toEqual([3, 4, 2]);
  expect((await grpcError(t.orders.placeOrder({ requestId: 'bad', customerId: 'x', customerEmail: 'x@example.com', lines: [] }))).code).toBe(status.INVALID_ARGUMENT);
  const shop = t.clientsAs({ sub: 'shop', roles: ['storefront'] });
  expect((await grpcError(shop.procurement.evaluateBuffers({ supplierId: 'ACME', force: true }))).code).toBe(status.PERMISSION_DENIED);
  // A peer call the service role may not make: refused, and counted on both sides.
  expect((await grpcError(t.app.peers.inventory.getProduct({ sku: 'MX-A' }))).code).toBe(status.PERMISSION_DENIED);

  const first = await metrics();
  // Server side: every RPC the test made, with its code; the histogram's count matches the counter.
  expect(calls(first, 'server', ORDERS, 'PlaceOrder', 'OK')).toBe(3);
  expect(calls(first, 'server', ORDERS, 'PlaceOrder', 'INVALID_ARGUMENT')).toBe(1);
  expect(calls(first, 'server', PROCUREMENT, 'EvaluateBuffers', 'PERMISSION_DENIED')).toBe(1);
  expect(calls(first, 'server', PROCUREMENT, 'EvaluateBuffers', 'OK')).toBe(0);
  expect(calls(first, 'server', INVENTORY, 'UpsertProduct', 'OK')).toBe(3);
  expect(first.type('restock_grpc_server_handled_total')).toBe('counter');
  expect(first.type('restock_grpc_server_handling_seconds')).toBe('histogram');
  const buckets = first.samples('restock_grpc_server_handling_seconds_bucket', { service: ORDERS, method: 'PlaceOrder', code: 'OK' });
  expect(buckets.map((b) => b.labels.le)).toEqual(BUCKETS);
  expect(buckets.at(-1)!.value).toBe(3);
  expect(first.value('restock_grpc_server_handling_seconds_sum', { service: ORDERS, method: 'PlaceOrder', code: 'OK' })).toBeGreaterThan(0);
  // Client side: placement's calls to Inventory go through the peers (the test's own clients are not counted),
  // so each is counted once as made and once as answered.
  const reserves = calls(first, 'client', INVENTORY, 'BatchReserveStock', 'OK');
  expect(reserves).toBeGreaterThanOrEqual(1);
  expect(calls(first, 'server', INVENTORY, 'BatchReserveStock', 'OK')).toBe(reserves);
  expect(calls(first, 'client', ORDERS, 'PlaceOrder', 'OK')).toBe(0);
  expect(calls(first, 'client', INVENTORY, 'GetProduct', 'PERMISSION_DENIED')).toBe(1);
  expect(calls(first, 'server', INVENTORY, 'GetProduct', 'PERMISSION_DENIED')).toBe(1);
  expect(first.samples('restock_grpc_client_handling_seconds_bucket', { service: INVENTORY, method: 'GetProduct', code: 'PERMISSION_DENIED' }).at(-1)!.value).toBe(1);

  // The outbox as its table has it: three confirmation emails and three demands waiting, nothing else.
  expect((await outbox(t, 'email')).filter((m) => m.status === 'pending')).toHaveLength(3);
  expect(first.value('restock_outbox_messages', { service: 'orders', topic: 'email', state: 'pending' })).toBe(3);
  expect(first.value('restock_outbox_messages', { service: 'orders', topic: 'email', state: 'in_flight' })).toBe(0);
  expect(first.value('restock_outbox_messages', { service: 'orders', topic: 'email', state: 'dead' })).toBe(0);
  expect(first.value('restock_outbox_messages', { service: 'orders', topic: 'procurement.record-demand', state: 'pending' })).toBe(3);
  const byTopic = await query<{ topic: string; n: number }>(t.databaseUrl, "SELECT topic, count(*)::int AS n FROM orders.outbox WHERE status = 'pending' GROUP BY topic");
  const pendingTopics = first.samples('restock_outbox_messages', { service: 'orders', state: 'pending' }).filter((s) => s.value > 0);
  expect(pendingTopics.map((s) => [s.labels.topic, s.value]).sort()).toEqual(byTopic.map((r) => [r.topic, r.n]).sort());
  // topics with nothing waiting are shown at 0, not left out
  expect(first.value('restock_outbox_messages', { service: 'orders', topic: 'inventory.ship-stock', state: 'pending' })).toBe(0);
  const age = first.value('restock_outbox_oldest_pending_age_seconds', { service: 'orders', topic: 'email' });
  expect(age).toBeGreaterThan(0);
  expect(age).toBeLessThan(600);
  // Backorders: three lines, nine units; nothing buffered before the demands are delivered; no PO yet.
  expect(first.value('restock_orders_backorder_lines_waiting')).toBe(3);
  expect(first.value('restock_orders_backorder_units_waiting')).toBe(9);
  expect(first.value('restock_procurement_buffered_units')).toBe(0);
  expect(first.samples('restock_procurement_buffered_value')).toEqual([]);
  expect(first.value('restock_procurement_open_purchase_orders', { status: 'issued' })).toBe(0);
  expect(first.value('restock_procurement_overdue_purchase_orders')).toBe(0);
  // The pool, the process, and every collector answered.
  expect(first.value('restock_db_pool_connections_max', { service: 'orders' })).toBe(20); // DB_POOL_SIZE of the harness
  expect(first.value('restock_db_pool_waiting_callers', { service: 'inventory' })).toBe(0);
  expect(first.value('restock_db_pool_connections_in_use', { service: 'procurement' })).toBeGreaterThanOrEqual(0);
  expect(first.value('restock_process_cpu_user_seconds_total')).toBeGreaterThan(0);
  expect(first.value('restock_process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(first.samples('restock_nodejs_heap_size_used_bytes')).toHaveLength(1);
  for (const up of first.samples('restock_metrics_collector_up')) expect([up.labels.collector, up.value]).toEqual([up.labels.collector, 1]);
  expect(first.samples('restock_metrics_collector_up').map((s) => s.labels.collector).sort()).toEqual([
    'inventory.outbox',
    'inventory.scheduler',
    'orders.backorders',
    'orders.outbox',
    'orders.scheduler',
    'procurement.buffers',
    'procurement.outbox',
    'procurement.purchase-orders',
    'procurement.scheduler',
  ]);

  // Deliver: the emails go out, the demands reach Procurement (through the peers) and are buffered.
  await settle(t);
  const second = await metrics();
  expect(second.value('restock_outbox_messages', { service: 'orders', topic: 'email', state: 'pending' })).toBe(0);
  expect(second.value('restock_outbox_oldest_pending_age_seconds', { service: 'orders', topic: 'email' })).toBe(0);
  const demands = (await outbox(t, 'procurement.record-demand')).length;
  expect(calls(second, 'client', PROCUREMENT, 'RecordDemand', 'OK')).toBe(demands);
  expect(calls(second, 'server', PROCUREMENT, 'RecordDemand', 'OK')).toBe(demands);
  expect(second.value('restock_procurement_buffered_units')).toBe(9);
  expect(second.value('restock_procurement_buffered_value', { currency: 'EUR' })).toBeCloseTo(3 * 3.5 + 4 * 2, 9);
  expect(second.value('restock_procurement_buffered_value', { currency: 'USD' })).toBeCloseTo(2 * 1.25, 9);
  expect(second.value('restock_orders_backorder_lines_waiting')).toBe(3); // still waiting for stock

  // Acme's buffer is released as one PO, due 7 days later (its quoted lead time); 8 days on, it is overdue.
  const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId: 'ACME', force: true });
  expect(purchaseOrders).toHaveLength(1);
  const third = await metrics();
  expect(third.value('restock_procurement_open_purchase_orders', { status: 'issued' })).toBe(1);
  expect(third.value('restock_procurement_open_purchase_orders', { status: 'sent' })).toBe(0);
  expect(third.value('restock_procurement_overdue_purchase_orders')).toBe(0);
  expect(third.value('restock_procurement_buffered_units')).toBe(2);
  expect(third.maybe('restock_procurement_buffered_value', { currency: 'EUR' })).toBeUndefined();
  expect(calls(third, 'server', PROCUREMENT, 'EvaluateBuffers', 'OK')).toBe(1);
  clock.set('2026-03-10T08:00:00Z');
  const fourth = await metrics();
  expect(fourth.value('restock_procurement_overdue_purchase_orders')).toBe(1);
  expect(fourth.value('restock_procurement_overdue_units')).toBe(7);
});

it('counts in-flight and dead outbox messages as the dispatcher records them', async () => {
  const sql = sqlOf(t.app.orms.inventory!.em.fork());
  await insertMessages(sql, 'inventory', [1, 2, 3].map((n) => ({ topic: 'metrics.probe', key: `probe-${n}`, payload: {} })));
  const others = await query<{ topic: string }>(t.databaseUrl, "SELECT DISTINCT topic FROM inventory.outbox WHERE topic <> 'metrics.probe'");
  const [leased, dying] = await leaseDueMessages(sql, 'inventory', { limit: 2, leaseMs: 60_000, busyTopics: others.map((o) => o.topic) });
  await recordOutcomes(sql, 'inventory', [{ id: dying.id, attempts: dying.attempts, delivered: false, error: 'gone', dead: true, retryAfterMs: 0 }]);
  expect([leased.topic, dying.topic]).toEqual(['metrics.probe', 'metrics.probe']);
  const s = await metrics();
  expect(s.value('restock_outbox_messages', { service: 'inventory', topic: 'metrics.probe', state: 'pending' })).toBe(1);
  expect(s.value('restock_outbox_messages', { service: 'inventory', topic: 'metrics.probe', state: 'in_flight' })).toBe(1);
  expect(s.value('restock_outbox_messages', { service: 'inventory', topic: 'metrics.probe', state: 'dead' })).toBe(1);
});

it('keeps each app’s series apart, reports the scheduler’s last runs, and turns off with METRICS_PORT=off', async () => {
  // A second app in this process, running its scheduler: its own registry, port and counts.
  const other = await startTestApp();
  const off = await startTestApp({ background: false, env: { METRICS_PORT: 'off' } });
  try {
    expect(other.app.metricsPort).not.toBe(t.app.metricsPort);
    expect(off.app.metricsPort).toBeUndefined();
    const s = await waitFor(
      async () => {
        const scraped = await scrape(`http://127.0.0.1:${other.app.metricsPort}/metrics`);
        return scraped.maybe('restock_scheduler_last_run_timestamp_seconds', { service: 'orders', task: 'orders.recover-unfinished-work' }) !== undefined && scraped;
      },
      { what: 'a scheduler tick' },
    );
    const [tick] = await query<{ lastTick: Date }>(other.databaseUrl, "SELECT last_tick FROM orders.scheduler_tick WHERE task = 'orders.recover-unfinished-work'");
    // the tick the scrape saw, or (every 10 s) the one before the row's current tick
    const lastRun = s.value('restock_scheduler_last_run_timestamp_seconds', { service: 'orders', task: 'orders.recover-unfinished-work' });
    expect(lastRun).toBeLessThanOrEqual(tick.lastTick.getTime() / 1000);
    expect(lastRun).toBeGreaterThanOrEqual(tick.lastTick.getTime() / 1000 - 10);
    expect(s.maybe('restock_grpc_server_handled_total', { service: ORDERS, method: 'PlaceOrder', code: 'OK' })).toBeUndefined();
    // The off app serves no metrics, yet answers calls.
    await off.inventory.upsertProduct({ product: { sku: 'OFF', name: 'Off', unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 } } });
  } finally {
    await other.stop();
    await off.stop();
  }
});

it('parses strictly', () => {
  const good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1\\"2",y="\\\\"} 3\n';
  expect(parsePrometheus(good).get('a_total')!.samples).toEqual([{ name: 'a_total', labels: { x: '1"2', y: '\\' }, value: 3 }]);
  expect(() => parsePrometheus('# TYPE a counter\nb 1\n')).toThrow(/outside the family/);
  expect(() => parsePrometheus('# TYPE a gauge\na{x="1} 1\n')).toThrow();
  expect(() => parsePrometheus('# TYPE a gauge\na 1\na 2\n')).toThrow(/twice/);
  expect(() => parsePrometheus('# TYPE a gauge\na one\n')).toThrow(/bad value/);
  expect(() => parsePrometheus('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow(/cumulative/);
  expect(() => parsePrometheus('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n')).toThrow(/\+Inf/);
});
