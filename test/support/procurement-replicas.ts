import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProcurementServiceDefinition } from '../../src/gen/restock/procurement/v1/procurement_service';
import { connect, type Client } from '../../src/platform/rpc';
import { freePort } from './global-setup';
import { CHILD_JWT_SECRET, childToken, waitFor } from './harness';

/** A real Restock process (`npx tsx src/main.ts`) serving Procurement, and a client of it. */
export interface Replica {
  process: ChildProcess;
  procurement: Client<typeof ProcurementServiceDefinition>;
  output: string[];
}

/** Starts a Procurement replica on the given database; resolves once it answers gRPC (or, with untilExit, once it has exited). */
export async function startReplica(databaseUrl: string, env: Record<string, string>, options: { untilExit?: boolean } = {}): Promise<Replica> {
  const port = await freePort();
  const child = spawn('npx', ['tsx', 'src/main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env,
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx -> tsx -> node, so a stop reaches the server itself.
    detached: true,
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const procurement = connect(ProcurementServiceDefinition, `127.0.0.1:${port}`, childToken());
  if (options.untilExit) {
    await new Promise((resolve) => child.once('exit', resolve));
    procurement.close();
    return { process: child, procurement, output };
  }
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`replica exited with ${child.exitCode}:\n${output.join('')}`);
      return procurement.listSuppliers({ pageSize: 1 }, { timeoutMs: 1000 }).then(() => true, () => false);
    },
    { timeoutMs: 90_000, what: `replica on port ${port}` },
  );
  return { process: child, procurement, output };
}

/** Stops a replica's whole process group with SIGTERM and waits for npx to exit. */
export async function stopReplica(replica: Replica): Promise<void> {
  replica.procurement.close();
  const exited = replica.process.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => replica.process.once('exit', () => resolve()));
  try {
    process.kill(-replica.process.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
  await exited;
  replica.process.stdout!.destroy();
  replica.process.stderr!.destroy();
}

/** Kills a replica's whole process group with SIGKILL (no shutdown of any kind) and waits for it to die. */
export async function killReplica(replica: Replica): Promise<void> {
  replica.procurement.close();
  const exited = replica.process.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => replica.process.once('exit', () => resolve()));
  process.kill(-replica.process.pid!, 'SIGKILL');
  await exited;
  replica.process.stdout!.destroy();
  replica.process.stderr!.destroy();
}
