import type { Logger } from './logger';
import { ident, transaction, type Orm, type Sql } from './orm';
import { deliveriesByTopic, type Delivery, type OutboxMessage } from './topics';

/** Writes messages to schema's outbox inside the caller's transaction. */
export async function enqueue(sql: Sql, schema: string, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await sql(
    `INSERT INTO ${ident(schema)}.outbox (topic, dedupe_key, payload)
     SELECT * FROM unnest(?::text[], ?::text[], ?::jsonb[])
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [messages.map((m) => m.topic), messages.map((m) => m.key), messages.map((m) => JSON.stringify(m.payload))],
  );
}

export interface DispatcherOptions {
  orm: Orm;
  schema: string;
  deliveries: Delivery[];
  log: Logger;
  pollMs: number;
  maxAttempts: number;
  backoffMs: number;
  workers?: number;
  /** Messages claimed per transaction (default 50). */
  batchSize?: number;
}

const MAX_BACKOFF_MS = 60 * 60 * 1000;

/**
 * Delivers a schema's outbox. Each message is claimed with FOR UPDATE SKIP LOCKED and marked in the same
 * transaction as its delivery, so replicas never deliver one message at the same time; a failure is retried
 * with exponential backoff until maxAttempts, then the message is dead (kept, with its last error).
 */
export class OutboxDispatcher {
  private running = false;
  private loops: Promise<void>[] = [];
  /** Ends the poll waits of the loops, so stop() need not wait out a poll interval. */
  private readonly sleepers = new Set<() => void>();

  private readonly handlers: Map<string, Delivery['deliver']>;

  constructor(private readonly options: DispatcherOptions) {
    this.handlers = deliveriesByTopic(options.deliveries);
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.workers ?? 2 }, () => this.loop());
  }

  /** Stops after the deliveries in progress. */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.sleepers) wake();
    await Promise.all(this.loops);
  }

  /**
   * Delivers up to batchSize due messages, in order, in one transaction (claimed together, marked
   * together); each succeeds or fails on its own. Returns how many were attempted: 0 when none is due.
   */
  async dispatchBatch(): Promise<number> {
    const { maxAttempts, backoffMs, log } = this.options;
    const schema = ident(this.options.schema);
    return transaction(this.options.orm, async (sql) => {
      const messages = await sql<{ id: string; topic: string; dedupeKey: string; payload: unknown; attempts: number }>(
        `SELECT id, topic, dedupe_key, payload, attempts FROM ${schema}.outbox
         WHERE status = 'pending' AND next_attempt_time <= now()
         ORDER BY next_attempt_time, id LIMIT ? FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize ?? 50],
      );
      const delivered: { id: string; attempts: number }[] = [];
      for (const message of messages) {
        const attempts = message.attempts + 1;
        try {
          const deliver = this.handlers.get(message.topic);
          if (!deliver) throw new Error(`no handler for topic ${message.topic}`);
          await deliver(message.payload, message.dedupeKey);
          delivered.push({ id: message.id, attempts });
        } catch (error) {
          const dead = attempts >= maxAttempts;
          const delayMs = Math.min(backoffMs * 2 ** (attempts - 1), MAX_BACKOFF_MS) * (0.75 + Math.random() / 2);
          const reason = error instanceof Error ? error.message : String(error);
          await sql(
            `UPDATE ${schema}.outbox SET status = ?, attempts = ?, last_error = ?,
               next_attempt_time = now() + (? * interval '1 millisecond') WHERE id = ?`,
            [dead ? 'dead' : 'pending', attempts, reason.slice(0, 2000), Math.round(delayMs), message.id],
          );
          log[dead ? 'error' : 'warn']({ outbox: schema, topic: message.topic, key: message.dedupeKey, attempts, error: reason }, dead ? 'outbox message is dead' : 'outbox delivery failed, will retry');
        }
      }
      if (delivered.length > 0) {
        await sql(
          `UPDATE ${schema}.outbox o SET status = 'delivered', attempts = d.attempts, deliver_time = now(), last_error = NULL
           FROM unnest(?::bigint[], ?::int[]) AS d(id, attempts) WHERE o.id = d.id`,
          [delivered.map((d) => d.id), delivered.map((d) => d.attempts)],
        );
      }
      return messages.length;
    });
  }

  /** Delivers due messages until none is left; returns how many were attempted. */
  async drain(): Promise<number> {
    let count = 0;
    for (let attempted = await this.dispatchBatch(); attempted > 0; attempted = await this.dispatchBatch()) count += attempted;
    return count;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = (await this.dispatchBatch()) > 0;
      } catch (error) {
        this.options.log.error({ outbox: this.options.schema, err: error }, 'outbox dispatcher error');
      }
      if (!busy && this.running) await this.sleep(this.options.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
