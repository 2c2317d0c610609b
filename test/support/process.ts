import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { makeGenericClientConstructor, credentials, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { waitFor } from './harness';

const ROOT = path.resolve(__dirname, '../..');

/** A Restock process started the way `npm start` starts it, in a child process. */
export interface RestockProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Spawns `node --import tsx src/main.ts` with env (on top of PATH/HOME only, so nothing leaks in from the test
 * run). The child is the Restock process itself, not a wrapper, so a signal sent to it reaches Restock.
 */
export function spawnRestock(env: Record<string, string>): RestockProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'info', CONSOLE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The serving status a gRPC health check reports for service ('' = the whole server). */
export function healthStatus(address: string, service = ''): Promise<string> {
  const Health = makeGenericClientConstructor(healthService, 'Health');
  const client = new Health(address, credentials.createInsecure()) as Client & Record<string, Function>;
  return new Promise((resolve, reject) => {
    client.check({ service }, { deadline: Date.now() + 2000 }, (error: Error | null, response: { status: string }) => {
      client.close();
      if (error) reject(error);
      else resolve(response.status);
    });
  });
}

/** Waits until the process answers health checks with SERVING. */
export async function waitUntilServing(process: RestockProcess, address: string): Promise<void> {
  await waitFor(
    async () => {
      if (process.child.exitCode !== null) throw new Error(`restock exited with ${process.child.exitCode}:\n${process.output()}`);
      return (await healthStatus(address).catch(() => 'DOWN')) === 'SERVING';
    },
    { timeoutMs: 60_000, what: 'restock to serve' },
  );
}
