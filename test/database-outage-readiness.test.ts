import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from './support/databases';
import { freePort } from './support/global-setup';
import { CHILD_JWT_SECRET, childToken, clientsOf, waitFor } from './support/harness';
import { startChild } from './support/orders-child';
import { healthStatus, spawnRestock, type RestockProcess } from './support/process';

// A process reports SERVING only once it has migrated and finished its start-up work: Orders' recovery of
// the placements a crash left half done. The test holds the lock of the SKU that recovery needs, so the
// recovery waits; meanwhile the server answers, but says NOT_SERVING.

jest.setTimeout(180_000);

const SERVICES = ['', 'restock.inventory.v1.InventoryService', 'restock.orders.v1.OrdersService', 'restock.procurement.v1.ProcurementService'];

let restock: RestockProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  if (restock && restock.child.exitCode === null) {
    restock.child.kill('SIGTERM');
    await restock.exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('says NOT_SERVING until the start-up recovery is done, then SERVING', async () => {
  const databaseUrl = await createTestDatabase();
  const sku = 'READY-1';
  // a process dies right after writing an order pending: recovery at the next start has to finish it
  const doomed = await startChild(databaseUrl, 'placement.pending-written');
  await doomed.inventory.upsertProduct({ product: { sku, name: sku, unitPrice: { currencyCode: 'EUR', units: 3, nanos: 0 }, backorderPolicy: { acceptBackorders: true } } });
  await expect(doomed.orders.placeOrder({ requestId: 'ready-1', customerId: 'ready', customerEmail: 'ready@example.com', lines: [{ sku, quantity: 2 }] })).rejects.toThrow();
  expect((await doomed.exited).signal).toBe('SIGKILL');
  doomed.close();

  // the SKU's lock, as a placement in flight elsewhere would hold it
  const holder = new Client({ connectionString: databaseUrl });
  await holder.connect();
  try {
    await holder.query(`SELECT pg_advisory_lock(hashtext('restock.orders.sku'), hashtext($1))`, [sku]);
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-ready-'));
    restock = spawnRestock({ DATABASE_URL: databaseUrl, GRPC_PORT: String(port), AUTH_JWT_SECRET: CHILD_JWT_SECRET, DATA_DIR: dataDir });
    // the server is up (it answers health checks), migrated, and its recovery waits for the lock
    await waitFor(async () => (await healthStatus(address).catch(() => 'DOWN')) !== 'DOWN', { timeoutMs: 60_000, what: 'the server to answer' });
    await waitFor(async () => {
      const { rows } = await holder.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      return rows[0].n > 0;
    }, { timeoutMs: 60_000, what: 'recovery to wait for the SKU lock' });
    for (let i = 0; i < 5; i++) {
      expect(await Promise.all(SERVICES.map((service) => healthStatus(address, service)))).toEqual(SERVICES.map(() => 'NOT_SERVING'));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const clients = clientsOf(address, childToken());
    try {
      expect((await clients.orders.listOrders({ customerId: 'ready' })).orders).toEqual([]); // not placed yet

      await holder.query('SELECT pg_advisory_unlock_all()');
      await waitFor(async () => (await healthStatus(address)) === 'SERVING', { timeoutMs: 60_000, what: 'SERVING once recovery is done' });
      // SERVING came after the recovery: the order it finished is there
      const { orders } = await clients.orders.listOrders({ customerId: 'ready' });
      expect(orders.map((o) => o.lines.map((l) => l.quantity))).toEqual([[2]]);
      expect(await Promise.all(SERVICES.map((service) => healthStatus(address, service)))).toEqual(SERVICES.map(() => 'SERVING'));
    } finally {
      for (const client of Object.values(clients)) client.close();
    }
  } finally {
    await holder.end();
  }
  restock.child.kill('SIGTERM');
  expect(await restock.exited).toBe(0);
});
