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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
