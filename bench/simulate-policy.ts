import { Client } from 'pg';
import { latencies, startBenchApp } from './support';

/**
 * SimulatePolicy at scale: one supplier with 20 SKUs and 10,000 demand rows over the last 13 weeks (1,000 of
 * them cancelled in part later), among 100 other suppliers with 90,000 demand rows of their own (seeded with
 * set-based SQL). Measures SimulatePolicy over gRPC one call at a time (both replays: a proposed min quantity
 * with a max wait, against the current weekly schedule). Target: p95 < 1 s.
 */
const DEMAND_ROWS = 10_000;
const OTHER_SUPPLIERS = 100;
const OTHER_DEMAND_ROWS = 90_000;
const CALLS = Number(process.env.BENCH_CALLS ?? 10);

async function seed(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`INSERT INTO procurement.supplier (supplier_id, name, email, time_zone, quoted_lead_time_days, currency_code, min_quantity, release_schedule, next_release_time)
      SELECT 'SUP-' || lpad(s::text, 4, '0'), 'Supplier ' || s, 'orders@sup' || s || '.example', 'Europe/Berlin', 7, 'EUR', 0, '0 10 * * 1', now() + interval '1 day'
      FROM generate_series(0, ${OTHER_SUPPLIERS}) s`);
    await db.query(`INSERT INTO procurement.supplier_product (supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity)
      SELECT 'SUP-' || lpad(s::text, 4, '0'), 'SKU-' || s || '-' || k, 'X-' || s || '-' || k, 1.25 + k, 1 + k % 6, k % 3 * 4
      FROM generate_series(0, ${OTHER_SUPPLIERS}) s, generate_series(1, 20) k`);
    // SUP-0000 is simulated: 10,000 arrivals spread over 13 weeks.
    await db.query(`INSERT INTO procurement.demand (demand_id, sku, quantity, demand_time)
      SELECT 'S-' || i, 'SKU-0-' || (i % 20 + 1), 1 + i % 5, now() - interval '13 weeks' + i * (interval '13 weeks' / ${DEMAND_ROWS + 1})
      FROM generate_series(1, ${DEMAND_ROWS}) i`);
    await db.query(`INSERT INTO procurement.demand_cancellation (demand_id, requested_quantity, cancelled_quantity, cancel_time)
      SELECT 'S-' || i, 1, 1, now() - interval '13 weeks' + i * (interval '13 weeks' / ${DEMAND_ROWS + 1}) + interval '20 hours'
      FROM generate_series(1, ${DEMAND_ROWS}, 10) i`);
    await db.query(`INSERT INTO procurement.demand (demand_id, sku, quantity, demand_time)
      SELECT 'O-' || i, 'SKU-' || (i % ${OTHER_SUPPLIERS} + 1) || '-' || (i % 20 + 1), 1 + i % 4, now() - (i % 2000) * interval '1 hour'
      FROM generate_series(1, ${OTHER_DEMAND_ROWS}) i`);
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const bench = await startBenchApp('simulate_policy', { SCHEDULER_TICK: '0 0 1 1 *', OUTBOX_POLL_MS: '3600000' });
  await seed(bench.databaseUrl);
  const call = () => bench.procurement.simulatePolicy({ supplierId: 'SUP-0000', proposedPolicy: { minQuantity: 400, maxWaitDays: 5, releaseSchedule: '0 8 * * 1-5' } });
  const first = await call(); // a check of the figures, and with two more calls a warm-up
  for (let i = 0; i < 2; i++) await call();
  const replayed = (first.current!.demandedQuantity + first.current!.unreleasedQuantity);
  if (first.current!.purchaseOrderCount < 12) throw new Error(`expected a weekly release, got ${first.current!.purchaseOrderCount} POs`);
  const { p50, p95 } = await latencies(CALLS, call);
  await bench.app.stop();
  if (process.env.BENCH_KEEP_DATABASE) console.log(`kept ${bench.databaseUrl}`);
  else await bench.dropDatabase();
  console.log(`SimulatePolicy over gRPC, ${DEMAND_ROWS} demand rows in 13 weeks (${replayed} units after cancellations), ${CALLS} calls one at a time`);
  console.log(`  proposed: ${first.proposed!.purchaseOrderCount} POs, current: ${first.current!.purchaseOrderCount} POs`);
  console.log(`  p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target < 1000 ms)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
