import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InventoryServiceDefinition } from '../src/gen/restock/inventory/v1/inventory_service';
import { createAuth } from '../src/platform/auth';
import { loadConfig } from '../src/platform/config';
import { connect } from '../src/platform/rpc';
import { freePort } from './support/global-setup';
import { healthStatus, spawnRestock, waitUntilServing } from './support/process';

describe('a Restock process', () => {
  it('exits non-zero with a message naming each bad variable', async () => {
    const restock = spawnRestock({ GRPC_PORT: 'abc', SERVICES: 'inventory,billing' });
    expect(await restock.exited).toBe(2);
    expect(restock.output()).toMatch(/invalid configuration/);
    expect(restock.output()).toMatch(/GRPC_PORT/);
    expect(restock.output()).toMatch(/SERVICES/);
  });

  it('runs on embedded PostgreSQL and keeps its data across a clean restart and a kill -9', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-embedded-'));
    await chmod(dataDir, 0o755);
    const env = { DATA_DIR: dataDir, GRPC_PORT: String(await freePort()), EMBEDDED_POSTGRES_PORT: String(await freePort()) };
    const address = `127.0.0.1:${env.GRPC_PORT}`;
    // No key configured: the process keeps a generated secret in DATA_DIR, and so does this client, sharing the file.
    const auth = await createAuth(loadConfig({ DATA_DIR: dataDir }));
    const inventory = connect(InventoryServiceDefinition, address, auth.tokens({ sub: 'process-test', roles: ['admin'] }));
    try {
      let restock = spawnRestock(env);
      await waitUntilServing(restock, address);
      await inventory.upsertProduct({ product: { sku: 'KEPT-1', name: 'Kept', unitPrice: { currencyCode: 'EUR', units: 3, nanos: 0 } } });
      await inventory.adjustStock({ requestId: 'kept-1', sku: 'KEPT-1', delta: 4, reason: 'count' });

      restock.child.kill('SIGTERM');
      expect(await restock.exited).toBe(0);
      expect(restock.output()).toContain('restock stopped');
      expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false); // its PostgreSQL stopped too

      restock = spawnRestock(env);
      await waitUntilServing(restock, address);
      expect((await inventory.getStock({ sku: 'KEPT-1' })).stock?.onHand).toBe(4);
      await inventory.adjustStock({ requestId: 'kept-2', sku: 'KEPT-1', delta: 1, reason: 'count' });

      // A crash leaves the embedded PostgreSQL running without its parent; the next start must take over.
      restock.child.kill('SIGKILL');
      await restock.exited;
      restock = spawnRestock(env);
      await waitUntilServing(restock, address);
      expect((await inventory.getStock({ sku: 'KEPT-1' })).stock?.onHand).toBe(5);
      expect(await healthStatus(address, 'restock.inventory.v1.InventoryService')).toBe('SERVING');
      restock.child.kill('SIGTERM');
      expect(await restock.exited).toBe(0);
    } finally {
      inventory.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
