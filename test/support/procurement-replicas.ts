import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProcurementServiceDefinition } from '../../src/gen/restock/procurement/v1/procurement_service';
import { connect, type Client } from '../../src/platform/rpc';
import { freePort } from './global-setup';
import { CHILD_JWT_SECRET, childToken, waitFor } from './harness';
import { spawnRestock } from './process';

/** A real Restock process (`src/main.ts`, spawned as `npm start` runs it) serving Procurement, and a client of it. */
export interface Replica {
  process: ChildProcess;
  procurement: Client<typeof ProcurementServiceDefinition>;
  output: () => string;
}

/** Starts a Procurement replica on the given database; resolves once it answers gRPC (or, with untilExit, once it has exited). */
export async function startReplica(databaseUrl: string, env: Record<string, string>, options: { untilExit?: boolean } = {}): Promise<Replica> {
  const port = await freePort();
  const restock = spawnRestock({
    DATABASE_URL: databaseUrl,
    GRPC_PORT: String(port),
    SERVICES: 'procurement',
    AUTH_JWT_SECRET: CHILD_JWT_SECRET,
    DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'restock-replica-')),
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '50',
    // messages a killed process had claimed go out once its lease ends: short, so crash tests see them
    OUTBOX_DELIVERY_TIMEOUT_MS: '5000',
    OUTBOX_LEASE_MS: '8000',
    OUTBOX_BACKOFF_MS: '200',
    ...env,
  });
  const { child, output } = restock;
  const procurement = connect(ProcurementServiceDefinition, `127.0.0.1:${port}`, childToken());
  if (options.untilExit) {
    await restock.exited;
    procurement.close();
    return { process: child, procurement, output };
  }
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`replica exited with ${child.exitCode}:\n${output()}`);
      return procurement.listSuppliers({ pageSize: 1 }, { timeoutMs: 1000 }).then(() => true, () => false);
    },
    { timeoutMs: 90_000, what: `replica on port ${port}` },
  );
  return { process: child, procurement, output };
}

/** Stops a replica with SIGTERM (a graceful shutdown) and waits for it to exit. */
export function stopReplica(replica: Replica): Promise<void> {
  return end(replica, 'SIGTERM');
}

/** Kills a replica with SIGKILL (no shutdown of any kind) and waits for it to die. */
export function killReplica(replica: Replica): Promise<void> {
  return end(replica, 'SIGKILL');
}

async function end(replica: Replica, signal: NodeJS.Signals): Promise<void> {
  replica.procurement.close();
  const { process: child } = replica;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
  child.stdout!.destroy();
  child.stderr!.destroy();
}
