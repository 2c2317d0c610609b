import type { Clock } from './clock';
import { deleteKeys } from './idempotency.repository';
import type { Logger } from './logger';
import { sqlOf, type Orm, type Sql } from './orm';
import { deleteDeliveredMessages } from './outbox.repository';
import type { Task } from './scheduler';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Rows of a service's own that retention deletes too (e.g. order events): up to limit rows older than before, returning how many went. */
export interface RetainedRows {
  name: string;
  deleteBefore(sql: Sql, before: Date, limit: number): Promise<number>;
}

interface RetentionOptions {
  orm: Orm;
  schema: string;
  days: number;
  clock: Clock;
  log: Logger;
  batchSize?: number;
  retained?: RetainedRows[];
}

/**
 * Deletes a service's delivered outbox messages and idempotency keys older than `days`, every night, in
 * batches of batchSize rows (one short statement each, so no long lock or transaction). Dead messages stay
 * for the dead-letter tools. A retry of a request older than `days` is treated as new, which is why the
 * retention must outlast every retry and recovery window (see RETENTION_DAYS).
 */
export function retentionTask(options: RetentionOptions): Task {
  return {
    id: `${options.schema}.retention`,
    schedule: '17 3 * * *',
    run: async () => void (await applyRetention(options)),
  };
}

/** One retention pass: how many outbox messages and idempotency keys it deleted (and rows of each retained kind). */
export async function applyRetention(options: RetentionOptions): Promise<Record<string, number>> {
  const { orm, schema, days, clock, log, batchSize = 1000, retained = [] } = options;
  const before = new Date(clock.now().getTime() - days * DAY_MS);
  const sql = sqlOf(orm.em.fork());
  const deleted = {
    messages: await inBatches((limit) => deleteDeliveredMessages(sql, schema, before, limit), batchSize),
    keys: await inBatches((limit) => deleteKeys(sql, schema, before, limit), batchSize),
  } as Record<string, number>;
  for (const rows of retained) deleted[rows.name] = await inBatches((limit) => rows.deleteBefore(sql, before, limit), batchSize);
  if (Object.values(deleted).some((n) => n > 0)) log.info({ schema, before, ...deleted }, 'retention deleted old rows');
  return deleted;
}

async function inBatches(deleteUpTo: (limit: number) => Promise<number>, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteUpTo(batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
