import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startApp, type App } from '../src/app';
import { InventoryServiceDefinition } from '../src/gen/restock/inventory/v1/inventory_service';
import { OrdersServiceDefinition } from '../src/gen/restock/orders/v1/orders_service';
import { ProcurementServiceDefinition } from '../src/gen/restock/procurement/v1/procurement_service';
import { loadConfig } from '../src/platform/config';
import { createDatabaseIfMissing } from '../src/platform/database';
import { connect } from '../src/platform/rpc';
import { Client } from 'pg';

/**
 * Starts Restock for a benchmark on a fresh database named `restock_bench_<scenario>_<time>` on
 * DATABASE_URL's server (default: the local PostgreSQL at 127.0.0.1:5432), with logging off.
 * dropDatabase() removes it once the script has measured its baseline there.
 */
export async function startBenchApp(scenario: string, env: Record<string, string> = {}) {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(serverUrl);
  url.pathname = `/restock_bench_${scenario}_${Date.now().toString(36)}`;
  await createDatabaseIfMissing(url.toString());
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    GRPC_PORT: '0',
    LOG_LEVEL: 'warn',
    DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'restock-bench-')),
    DB_POOL_SIZE: '40',
    // metrics on (a free port) unless METRICS_PORT says otherwise: `off` measures without them
    METRICS_PORT: process.env.METRICS_PORT ?? '0',
    CONSOLE_PORT: '0',
    ...env,
  });
  const app: App = await startApp(config);
  const dataDir = config.DATA_DIR;
  const address = `127.0.0.1:${app.port}`;
  // The benchmark's clients call as admin, with a token of the app's own secret (minted once an hour).
  const token = app.auth.tokens({ sub: 'bench', roles: ['admin'] }, 3600);
  return {
    app,
    dataDir,
    databaseUrl: url.toString(),
    inventory: connect(InventoryServiceDefinition, address, token),
    orders: connect(OrdersServiceDefinition, address, token),
    procurement: connect(ProcurementServiceDefinition, address, token),
    dropDatabase: () => dropDatabase(url),
  };
}

async function dropDatabase(url: URL): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(decodeURIComponent(url.pathname.slice(1)))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Latency percentiles and throughput of calls made by `concurrency` clients until `total` calls are done. */
export async function measure(total: number, concurrency: number, call: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { calls: total, seconds, perSecond: total / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

type BenchApp = Awaited<ReturnType<typeof startBenchApp>>;

/**
 * Calls made with their background work: a warm-up, then `total` calls measured, each run until the outboxes of
 * `schemas` have nothing pending (what the calls queued is delivered), with the process's CPU over the measured
 * calls and their deliveries, and how many messages were still queued when the last call answered.
 */
export async function measureWithDeliveries(
  bench: BenchApp,
  { warmup, total, clients, schemas }: { warmup: number; total: number; clients: number; schemas: string[] },
  call: (i: number) => Promise<unknown>,
) {
  const pending = schemas.map((schema) => `(SELECT count(*) FROM ${schema}.outbox WHERE status = 'pending')`).join(' + ');
  const backlog = async (): Promise<number> => (await bench.app.orms.orders!.em.getKnex().raw(`SELECT (${pending})::int AS n`)).rows[0].n;
  const delivered = async () => {
    while ((await backlog()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  await measure(warmup, clients, (i) => call(total + i));
  await delivered();
  const cpu = process.cpuUsage();
  const result = await measure(total, clients, call);
  const queuedAtEnd = await backlog();
  await delivered();
  const { user, system } = process.cpuUsage(cpu);
  return { ...result, queuedAtEnd, cpuMsPerCall: (user + system) / 1000 / total };
}

/** pgbench TPC-B (built-in script) tps on the same server: the baseline a benchmark compares against. */
export function pgbenchTps(databaseUrl: string, clients: number, seconds: number): number {
  const env = { ...process.env, PGDATABASE: undefined };
  execFileSync('pgbench', ['-i', '-q', '-s', '10', databaseUrl], { stdio: 'ignore', env });
  const output = execFileSync('pgbench', ['-c', String(clients), '-j', '2', '-T', String(seconds), '-n', databaseUrl], { encoding: 'utf8', env });
  const tps = /tps = ([\d.]+)/.exec(output);
  if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(tps[1]);
}

/** Median and 95th percentile latency of `calls` calls made one at a time. */
export async function latencies(calls: number, call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.ceil(p * latencies.length) - 1];
  return { p50: at(0.5), p95: at(0.95) };
}
