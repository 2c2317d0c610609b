import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { Order } from '../src/gen/restock/orders/v1/order';
import { Priority } from '../src/gen/restock/common/v1/priority';
import { FulfillmentPolicy } from '../src/gen/restock/orders/v1/order';
import { query } from './support/db';
import { createTestDatabase } from './support/databases';
import { freePort } from './support/global-setup';
import { CHILD_JWT_SECRET, childToken, clientsOf, type Clients } from './support/harness';
import { spawnRestock, waitUntilServing, type RestockProcess } from './support/process';

// SIGTERM under PlaceOrder load, on a real process: the server stops taking calls, finishes the ones it
// took (their batches, peer calls and outbox deliveries) and only then closes the database. So every call
// either succeeded, and its order is there after a restart with its reservation and backorder, or failed
// as unreachable (UNAVAILABLE), and the same request placed after the restart is placed once.

const WORKERS = 12;

it('loses no accepted PlaceOrder on SIGTERM, and exits 0', async () => {
  const databaseUrl = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-shutdown-'));
  const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, GRPC_PORT: String(await freePort()), AUTH_JWT_SECRET: CHILD_JWT_SECRET, OUTBOX_POLL_MS: '50' };
  const address = `127.0.0.1:${env.GRPC_PORT}`;
  let clients: Clients = clientsOf(address, childToken());
  let restock: RestockProcess | undefined = spawnRestock(env);
  try {
    await waitUntilServing(restock, address);
    for (const [sku, onHand] of [['SD-A', 100_000], ['SD-B', 0]] as const) {
      await clients.inventory.upsertProduct({ product: { sku, name: sku, unitPrice: { currencyCode: 'EUR', units: 2, nanos: 0 }, backorderPolicy: { acceptBackorders: true } } });
      if (onHand > 0) await clients.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: onHand, reason: 'seed' });
    }

    // each order reserves one SD-A and backorders one SD-B
    const placed = new Map<string, Order>();
    const failed = new Map<string, ServiceError>();
    let exited = false;
    const stopped = restock.exited.then((code) => ((exited = true), code));
    let next = 0;
    const worker = async (w: number) => {
      while (!exited) {
        const requestId = `sd-${w}-${next++}`;
        try {
          const { order } = await clients.orders.placeOrder(
            {
              requestId,
              customerId: `sd-cust-${w}`,
              customerEmail: `sd-${w}@example.com`,
              priority: Priority.PRIORITY_STANDARD,
              fulfillmentPolicy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
              lines: [{ sku: 'SD-A', quantity: 1 }, { sku: 'SD-B', quantity: 1 }],
            },
            { timeoutMs: 20_000 },
          );
          placed.set(requestId, order!);
        } catch (error) {
          failed.set(requestId, error as ServiceError);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    const sigterm = await new Promise<number>((resolve) => {
      const poll = setInterval(() => {
        if (placed.size >= 60) {
          clearInterval(poll);
          restock!.child.kill('SIGTERM');
          resolve(placed.size);
        }
      }, 5);
    });
    expect(await stopped).toBe(0);
    await load;
    expect(restock.output()).toContain('restock stopped');
    // the calls it took were finished, none left half placed for a recovery
    expect(await query(databaseUrl, "SELECT order_id, placement FROM orders.customer_order WHERE placement <> 'placed'")).toEqual([]);
    // calls were still being taken and answered around the signal
    expect(placed.size).toBeGreaterThanOrEqual(sigterm);
    expect(failed.size).toBeGreaterThan(0);
    const codes = [...new Set([...failed.values()].map((error) => status[error.code]))];
    expect(codes).toEqual(['UNAVAILABLE']);

    restock = spawnRestock(env);
    await waitUntilServing(restock, address);
    // new clients: the old ones' connections back off after the refusals
    for (const client of Object.values(clients)) client.close();
    clients = clientsOf(address, childToken());
    // every answered order is there, as it was answered
    for (const [requestId, order] of placed) {
      const { order: kept } = await clients.orders.getOrder({ orderId: order.orderId });
      expect([requestId, kept!.lines.map((l) => [l.sku, l.allocatedQuantity, l.backorderedQuantity])]).toEqual([
        requestId,
        [
          ['SD-A', 1, 0],
          ['SD-B', 0, 1],
        ],
      ]);
    }
    // a failed request sent again is placed (once), or was placed before the process stopped and is answered as it is
    for (const [requestId] of failed) {
      const [w] = /^sd-(\d+)-/.exec(requestId)!.slice(1);
      const { order } = await clients.orders.placeOrder({
        requestId,
        customerId: `sd-cust-${w}`,
        customerEmail: `sd-${w}@example.com`,
        priority: Priority.PRIORITY_STANDARD,
        fulfillmentPolicy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
        lines: [{ sku: 'SD-A', quantity: 1 }, { sku: 'SD-B', quantity: 1 }],
      });
      placed.set(requestId, order!);
    }
    const [{ orders }] = await query<{ orders: number }>(databaseUrl, "SELECT count(*) AS orders FROM orders.customer_order WHERE placement = 'placed'");
    expect(orders).toBe(placed.size);
    // Inventory holds exactly the reservations of those orders, and Orders agrees
    const [stock] = await query<{ reserved: number; onHand: number }>(databaseUrl, "SELECT reserved, on_hand FROM inventory.stock WHERE sku = 'SD-A'");
    expect(stock).toEqual({ reserved: placed.size, onHand: 100_000 });
    const [{ allocated, backordered }] = await query<{ allocated: number; backordered: number }>(
      databaseUrl,
      "SELECT sum(allocated) FILTER (WHERE sku = 'SD-A') AS allocated, sum(backordered) FILTER (WHERE sku = 'SD-B') AS backordered FROM orders.order_line",
    );
    expect({ allocated, backordered }).toEqual({ allocated: placed.size, backordered: placed.size });

    restock.child.kill('SIGTERM');
    expect(await restock.exited).toBe(0);
    restock = undefined;
  } finally {
    for (const client of Object.values(clients)) client.close();
    if (restock && restock.child.exitCode === null) {
      restock.child.kill('SIGKILL');
      await restock.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}, 180_000);
