import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { BufferOrder } from '../src/gen/restock/procurement/v1/procurement_service';
import { bufferSeedStatements } from '../test/support/buffers-at-scale';
import { latencies, startBenchApp } from './support';

/**
 * ListBuffers at scale: 1,000 suppliers with 10 SKUs each and 100,000 buffered demand rows (seeded with
 * set-based SQL), policies mixed (thresholds, max waits, paused). Measures ListBuffers over gRPC one call at a
 * time: a first page of 100 by next release, the whole list in one page of 1,000, and a filtered page (due
 * within a day, by value). Target: p95 < 300 ms. Baseline: the bare per-supplier GROUP BY over the same rows.
 * Then the console's buffers page over HTTP, signed in with the local link (target: under 300 ms).
 */
const SUPPLIERS = 1000;
const SKUS_PER_SUPPLIER = 10;
const DEMAND_ROWS = 100_000;
const CALLS = Number(process.env.BENCH_CALLS ?? 40);

async function seed(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    for (const statement of bufferSeedStatements({ suppliers: SUPPLIERS, skusPerSupplier: SKUS_PER_SUPPLIER, demandRows: DEMAND_ROWS })) await db.query(statement);
    await db.query('VACUUM ANALYZE procurement.buffered_demand');
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
  // No tick and an idle outbox during the measurement: nothing else touches the buffers.
  const bench = await startBenchApp('list_buffers', { SCHEDULER_TICK: '0 0 1 1 *', OUTBOX_POLL_MS: '3600000' });
  await seed(bench.databaseUrl);
  const { procurement } = bench;
  const first = await procurement.listBuffers({ pageSize: 1000 }); // warm-up, and a check of the figures
  if (first.buffers.length !== SUPPLIERS) throw new Error(`expected ${SUPPLIERS} buffers, got ${first.buffers.length}`);
  const units = first.buffers.reduce((sum, b) => sum + b.totalQuantity, 0);
  const scenarios = {
    'first page of 100 by next release': () => procurement.listBuffers({ orderBy: BufferOrder.BUFFER_ORDER_NEXT_RELEASE }),
    'all 1,000 in one page (10,000 lines)': () => procurement.listBuffers({ pageSize: 1000 }),
    'due within a day, by value': () => procurement.listBuffers({ dueBeforeTime: new Date(Date.now() + 86_400_000), orderBy: BufferOrder.BUFFER_ORDER_VALUE }),
  };
  const results: string[] = [];
  for (const [name, call] of Object.entries(scenarios)) {
    for (let i = 0; i < 3; i++) await call(); // warm-up
    const { p50, p95 } = await latencies(CALLS, call);
    results.push(`  ${name}: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target < 300 ms)`);
  }
  const pages = await consolePages(bench.app.consolePort!, bench.dataDir);
  const floor = Math.min(...(await Promise.all([0, 1, 2].map(() => bareAggregateMs(bench.databaseUrl)))));
  await bench.app.stop();
  if (process.env.BENCH_KEEP_DATABASE) console.log(`kept ${bench.databaseUrl}`);
  else await bench.dropDatabase();
  console.log(`ListBuffers over gRPC, ${SUPPLIERS} suppliers, ${DEMAND_ROWS} buffered demand rows (${units} units), ${CALLS} calls each, one at a time`);
  for (const line of results) console.log(line);
  console.log('The console\'s buffers page (100 rows, one ListBuffers call), over HTTP:');
  for (const line of pages) console.log(line);
  console.log(`  bare GROUP BY supplier_id over the same rows: ${floor.toFixed(0)} ms`);
}

/** Signs in with the local link and times the buffers page in its orders and filters. */
async function consolePages(port: number, dataDir: string): Promise<string[]> {
  const base = `http://127.0.0.1:${port}`;
  const token = readFileSync(path.join(dataDir, 'console-sign-in-token'), 'utf8').trim();
  const signIn = await fetch(`${base}/sign-in?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (!cookie) throw new Error(`the sign-in link set no cookie (HTTP ${signIn.status})`);
  const lines: string[] = [];
  for (const page of ['/buffers', '/buffers?sort=value', '/buffers?sort=age&due=today', '/buffers?name=supplier+99']) {
    const load = async () => {
      const response = await fetch(`${base}${page}`, { headers: { cookie } });
      const html = await response.text();
      if (response.status !== 200 || !html.includes('<table class="buffers">')) throw new Error(`${page}: HTTP ${response.status}`);
    };
    for (let i = 0; i < 3; i++) await load(); // warm-up
    const { p50, p95 } = await latencies(CALLS, load);
    lines.push(`  ${page}: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target < 300 ms)`);
  }
  return lines;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
