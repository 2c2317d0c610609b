import { rm } from 'node:fs/promises';
import { dropTestDatabases } from './databases';

/** Drops the run's databases and stops the embedded PostgreSQL, if one was started. */
export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as Record<string, unknown>).__restockPostgres as { server: { stop(): Promise<void> }; directory: string } | undefined;
  if (!embedded) {
    await dropTestDatabases();
    return;
  }
  await embedded.server.stop();
  await rm(embedded.directory, { recursive: true, force: true });
}
