import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InventoryServiceDefinition } from '../../src/gen/restock/inventory/v1/inventory_service';
import { OrdersServiceDefinition } from '../../src/gen/restock/orders/v1/orders_service';
import { connect, type Client } from '../../src/platform/rpc';
import { freePort } from './global-setup';
import { CHILD_JWT_SECRET, childToken, waitFor } from './harness';

/** A real `tsx src/main.ts` process (through orders-child-main.ts) serving all services on its own port, and clients of it. */
export interface ChildApp {
  process: ChildProcess;
  /** How many calls wait in the process's batchers (PlaceOrder's queue). */
  batcherWaiting(): Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  orders: Client<typeof OrdersServiceDefinition>;
  inventory: Client<typeof InventoryServiceDefinition>;
  close(): void;
}

/** Starts the process on databaseUrl (crashPoint sets RESTOCK_CRASH_POINT) and waits until it answers. */
export async function startChild(databaseUrl: string, crashPoint?: string): Promise<ChildApp> {
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    GRPC_PORT: String(port),
    METRICS_PORT: '0', // children side by side must not compete for 9464
    AUTH_JWT_SECRET: CHILD_JWT_SECRET,
    DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'restock-child-')),
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '50',
    // messages a killed process had claimed go out once its lease ends: short, so crash tests see them
    OUTBOX_DELIVERY_TIMEOUT_MS: '5000',
    OUTBOX_LEASE_MS: '8000',
    OUTBOX_BACKOFF_MS: '100',
    RESTOCK_CRASH_POINT: crashPoint ?? '',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/orders-child-main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const address = `127.0.0.1:${port}`;
  const app: ChildApp = {
    process: child,
    exited,
    batcherWaiting: () =>
      new Promise<number>((resolve, reject) => {
        const answer = (message: { batcherWaiting?: number }) => {
          if (message.batcherWaiting === undefined) return;
          child.off('message', answer);
          resolve(message.batcherWaiting);
        };
        child.on('message', answer);
        child.send('batcher-waiting', (error) => {
          if (error) {
            child.off('message', answer);
            reject(error);
          }
        });
      }),
    orders: connect(OrdersServiceDefinition, address, childToken()),
    inventory: connect(InventoryServiceDefinition, address, childToken()),
    close() {
      app.orders.close();
      app.inventory.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  await waitFor(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child process exited (${child.exitCode ?? child.signalCode}) before it served`);
      return app.orders.getBackorderMetrics({}, { timeoutMs: 1000 }).then(() => true, () => false);
    },
    { timeoutMs: 60_000, what: 'the child process to serve' },
  );
  return app;
}
