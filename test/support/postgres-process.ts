import { spawn } from 'node:child_process';
import path from 'node:path';

/** A PostgreSQL server a test runs (and may kill) itself, in a process of its own (postgres-main.ts). */
export interface PostgresProcess {
  /** The URL of one of its databases, as its superuser. */
  url(database: string): string;
  /** Stops the server (if it still runs) and its process. */
  stop(): Promise<void>;
}

/** Starts (initialising on first use) the embedded PostgreSQL of directory on port, and waits until it accepts connections. */
export function startPostgresProcess(directory: string, port: number): Promise<PostgresProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/postgres-main.ts', directory, String(port)], {
    cwd: path.resolve(__dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"url"'));
      if (!line) return;
      const adminUrl = new URL((JSON.parse(line) as { url: string }).url);
      resolve({
        url(database) {
          const url = new URL(adminUrl);
          url.pathname = `/${encodeURIComponent(database)}`;
          return url.toString();
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`postgres-main exited with ${code}:\n${output}`)));
  });
}
