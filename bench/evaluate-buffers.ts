import { Client } from 'pg';
import { pgbenchTps, startBenchApp } from './support';

/**
 * Procurement buffer evaluation at scale: 1,000 suppliers with 10 SKUs each and 100,000 buffered demand
 * rows. Measures one evaluation pass (the aggregate query plus the rules, nothing fires) through the
 * EvaluateBuffers RPC, then one forced pass that releases 1,000 POs. Baselines from the same run: the bare
 * aggregate over the same rows in psql terms (the floor for a pass) and pgbench TPC-B tps on the server.
 */
const SUPPLIERS = 1000;
const SKUS_PER_SUPPLIER = 10;
const DEMAND_ROWS = 100_000;
const PASSES = 5;

async function seed(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`INSERT INTO procurement.supplier (supplier_id, name, email, time_zone, quoted_lead_time_days, currency_code, release_schedule, next_release_time)
      SELECT 'SUP-' || lpad(s::text, 4, '0'), 'Supplier ' || s, 'orders@sup' || s || '.example', 'Europe/Berlin', 7, 'EUR', '0 10 1 1 *', '2099-01-01T09:00:00Z'
      FROM generate_series(1, ${SUPPLIERS}) s`);
    await db.query(`INSERT INTO procurement.supplier_product (supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity)
      SELECT 'SUP-' || lpad(s::text, 4, '0'), 'SKU-' || s || '-' || k, 'X-' || s || '-' || k, 1.25 + k, 1 + k % 3, k % 2 * 5
      FROM generate_series(1, ${SUPPLIERS}) s, generate_series(1, ${SKUS_PER_SUPPLIER}) k`);
    await db.query(`INSERT INTO procurement.demand (demand_id, sku, quantity, demand_time)
      SELECT 'D-' || i, 'SKU-' || (i % ${SUPPLIERS} + 1) || '-' || (i / ${SUPPLIERS} % ${SKUS_PER_SUPPLIER} + 1), 1 + i % 4, now() - (i % 48) * interval '1 hour'
      FROM generate_series(1, ${DEMAND_ROWS}) i`);
    await db.query(`INSERT INTO procurement.buffered_demand (demand_id, sku, supplier_id, quantity, demand_time)
      SELECT d.demand_id, d.sku, 'SUP-' || lpad(split_part(d.sku, '-', 2), 4, '0'), d.quantity, d.demand_time FROM procurement.demand d`);
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
}

async function bareAggregateMs(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const started = performance.now();
    await db.query('SELECT supplier_id, sum(quantity), min(demand_time) FROM procurement.buffered_demand GROUP BY supplier_id');
    return performance.now() - started;
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  // No tick and an idle outbox during the measurement: only the RPCs under test touch the buffers.
  const bench = await startBenchApp('evaluate_buffers', { SCHEDULER_TICK: '0 0 1 1 *', OUTBOX_POLL_MS: '3600000' });
  await seed(bench.databaseUrl);
  await bench.procurement.evaluateBuffers({}); // warm-up
  const passes: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const started = performance.now();
    const { purchaseOrders } = await bench.procurement.evaluateBuffers({});
    passes.push(performance.now() - started);
    if (purchaseOrders.length > 0) throw new Error('no rule should fire in an evaluation pass');
  }
  passes.sort((a, b) => a - b);
  const floor = Math.min(...(await Promise.all([0, 1, 2].map(() => bareAggregateMs(bench.databaseUrl)))));

  const started = performance.now();
  const { purchaseOrders } = await bench.procurement.evaluateBuffers({ force: true }, { timeoutMs: 120_000 });
  const releaseSeconds = (performance.now() - started) / 1000;
  const lines = purchaseOrders.reduce((sum, po) => sum + po.lines.length, 0);
  if (purchaseOrders.length !== SUPPLIERS) throw new Error(`expected ${SUPPLIERS} POs, got ${purchaseOrders.length}`);
  await bench.app.stop();
  const tps = pgbenchTps(bench.databaseUrl, 4, 10);
  await bench.dropDatabase();

  console.log(`EvaluateBuffers, ${SUPPLIERS} suppliers, ${DEMAND_ROWS} buffered demand rows`);
  console.log(`  evaluation pass (nothing fires): median ${passes[2].toFixed(0)} ms, max ${passes[PASSES - 1].toFixed(0)} ms (target < 1000 ms)`);
  console.log(`  bare GROUP BY over the same rows: ${floor.toFixed(0)} ms`);
  console.log(`  forced release: ${purchaseOrders.length} POs, ${lines} lines in ${releaseSeconds.toFixed(2)} s = ${(purchaseOrders.length / releaseSeconds).toFixed(0)} POs/s (target < 10 s)`);
  console.log(`  pgbench TPC-B, 4 clients: ${tps.toFixed(0)} tps -> ${(purchaseOrders.length / releaseSeconds / tps).toFixed(2)} POs per TPC-B transaction`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
