import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openAndMigrate } from '../../src/modules';
import { createDatabaseIfMissing, startEmbeddedPostgres } from '../../src/platform/database';
import { createLogger } from '../../src/platform/logger';
import { databaseUrl } from './databases';

/**
 * Starts the test PostgreSQL (DATABASE_URL's server, else an embedded one) and migrates a template
 * database that every test file clones.
 */
export default async function globalSetup(): Promise<void> {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'restock-test-pg-'));
    await chmod(directory, 0o755); // the postgres user must reach its data directory inside
    const port = await freePort();
    const server = await startEmbeddedPostgres(path.join(directory, 'data'), port, log);
    (globalThis as Record<string, unknown>).__restockPostgres = { server, directory };
    adminUrl = server.url('postgres');
  }
  const template = `restock_tpl_${runId}`;
  const templateUrl = databaseUrl(adminUrl, template);
  await createDatabaseIfMissing(templateUrl);
  const orms = await openAndMigrate(templateUrl, { poolSize: 2, log });
  for (const orm of Object.values(orms)) await orm.close();
  Object.assign(process.env, { RESTOCK_TEST_ADMIN_URL: adminUrl, RESTOCK_TEST_TEMPLATE: template, RESTOCK_TEST_RUN: runId });
}

/**
 * A port nothing listens on, for a child process to bind. Ports come from a range of this Jest worker's own
 * below the kernel's ephemeral range (32768+): an ephemeral port freed by a probe can be taken by any outgoing
 * connection (to PostgreSQL, to a peer) before the child binds it, and another worker's probe never sees
 * this worker's ports. Each candidate is still probed, on every interface, in case something else holds it.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORTS_PER_WORKER; tries++) {
    const port = PORT_RANGE_START + workerSlot * PORTS_PER_WORKER + (nextPort++ % PORTS_PER_WORKER);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in this worker's range`);
}

const PORT_RANGE_START = 20_000;
const PORTS_PER_WORKER = 1_000;
// worker ids are 1…maxWorkers; the global setup (no worker id) takes slot 0
const workerSlot = Number(process.env.JEST_WORKER_ID ?? 0);
let nextPort = process.pid % PORTS_PER_WORKER;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}
