import { RetryBackoff, type DatabaseHealth } from './database-health';
import type { Logger } from './logger';
import { sqlOf, type Orm, type Sql } from './orm';
import { insertMessages, leaseDueMessages, recordOutcomes, type ClaimedMessage, type DeliveryOutcome } from './outbox.repository';
import { deliveriesByTopic, type Delivery, type OutboxMessage } from './topics';
import { failSpan, inSpan, SpanKind } from './tracing';

/** Writes messages to schema's outbox inside the caller's transaction. */
export function enqueue(sql: Sql, schema: string, messages: OutboxMessage[]): Promise<void> {
  return insertMessages(sql, schema, messages);
}

export interface DispatcherOptions {
  orm: Orm;
  schema: string;
  deliveries: Delivery[];
  log: Logger;
  pollMs: number;
  maxAttempts: number;
  backoffMs: number;
  /** How long a claimed message is leased to this dispatcher (default 60 s); longer than deliveryTimeoutMs. */
  leaseMs?: number;
  /** A delivery still running after this long counts as a failed attempt (default 30 s). */
  deliveryTimeoutMs?: number;
  /** Messages claimed per statement (default 50). */
  batchSize?: number;
  /** Deliveries running at once (default 16), and at most per topic (default 8), so one slow receiver cannot take every slot. */
  maxInFlight?: number;
  maxInFlightPerTopic?: number;
  /** The database's health, told of connection errors the loop meets (which then go unlogged: it logs the outage). */
  database?: DatabaseHealth;
}

const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** The longest wait between two attempts to lease while leasing fails. */
const MAX_LEASE_BACKOFF_MS = 5000;

/**
 * Delivers a schema's outbox. Due messages are leased in one committed statement, delivered outside any
 * transaction, and their outcomes recorded together in one statement; a lease that runs out (a crashed
 * dispatcher) makes the message due again, so replicas share the work and nothing is lost. Deliveries run
 * concurrently, with a cap per topic: a hanging SMTP server or peer holds its own slots, not the others'.
 * A failure is retried with exponential backoff until maxAttempts, then the message is dead (kept, with
 * its last error). Receivers are idempotent on the message key: a lease can run out mid-delivery.
 */
export class OutboxDispatcher {
  private readonly handlers: Map<string, Delivery['deliver']>;
  /** Statements outside any transaction: each commits on its own. */
  private readonly sql: Sql;
  private readonly inFlight = new Map<number, { topic: string; settled: Promise<void> }>();
  private readonly outcomes: DeliveryOutcome[] = [];
  private flushing: Promise<void> | null = null;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Ends the waits of the loop: a poll interval, or a full house of deliveries. */
  private readonly sleepers = new Set<() => void>();
  private wakeMissed = false;

  constructor(private readonly options: DispatcherOptions) {
    this.handlers = deliveriesByTopic(options.deliveries);
    this.sql = sqlOf(options.orm.em.fork());
  }

  start(): void {
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming, then waits for the deliveries in progress (each bounded by the delivery timeout) and records them. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.all([...this.inFlight.values()].map((d) => d.settled));
    await this.flush();
  }

  /** Claims up to batchSize due messages, delivers them at once and records their outcomes in one statement; returns how many were claimed. */
  async dispatchBatch(): Promise<number> {
    const claimed = await this.lease(this.options.batchSize ?? 50, []);
    const outcomes = await Promise.all(claimed.map((message) => this.deliver(message)));
    await recordOutcomes(this.sql, this.options.schema, outcomes);
    return claimed.length;
  }

  /** Delivers due messages until none is left; returns how many were attempted. */
  async drain(): Promise<number> {
    let count = 0;
    for (let attempted = await this.dispatchBatch(); attempted > 0; attempted = await this.dispatchBatch()) count += attempted;
    return count;
  }

  private async loop(): Promise<void> {
    const { batchSize = 50, maxInFlight = 16, maxInFlightPerTopic = 8, pollMs, log, schema, database } = this.options;
    // while leasing fails (the database is down, say), wait longer each time, up to a few seconds: no tight
    // loop, and no log line per attempt for an outage (the DatabaseHealth logs its start and its end)
    const backoff = new RetryBackoff(pollMs, Math.max(pollMs, MAX_LEASE_BACKOFF_MS));
    while (this.running) {
      const free = maxInFlight - this.inFlight.size;
      if (free <= 0) {
        await this.sleep(pollMs);
        continue;
      }
      let claimed: ClaimedMessage[] = [];
      try {
        claimed = await this.lease(Math.min(batchSize, free), this.busyTopics(maxInFlightPerTopic));
        backoff.reset();
      } catch (error) {
        if (!database?.report(error)) log.error({ outbox: schema, err: error }, 'outbox dispatcher error');
        if (this.running) await this.sleep(backoff.next());
        continue;
      }
      for (const message of claimed) this.startDelivery(message);
      if (claimed.length === 0 && this.running) await this.sleep(pollMs);
    }
  }

  private startDelivery(message: ClaimedMessage): void {
    const settled = this.deliver(message).then((outcome) => {
      this.inFlight.delete(message.id);
      this.outcomes.push(outcome);
      void this.flush();
      this.wake();
    });
    this.inFlight.set(message.id, { topic: message.topic, settled });
  }

  /**
   * Records the outcomes gathered so far in one statement; outcomes arriving meanwhile go in the next one.
   * Resolves only once no recording is running and none is left to record (stop() relies on it: a caller that
   * found the next recording already started by another waiter waits for that one too).
   */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.outcomes.length === 0) return Promise.resolve();
    const batch = this.outcomes.splice(0);
    this.flushing = recordOutcomes(this.sql, this.options.schema, batch)
      .catch((error: unknown) => {
        // unrecorded outcomes: their leases run out and the messages are delivered again (receivers are idempotent)
        this.options.log.error({ outbox: this.options.schema, err: error, messages: batch.length }, 'outbox could not record deliveries');
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  private busyTopics(limit: number): string[] {
    const perTopic = new Map<string, number>();
    for (const { topic } of this.inFlight.values()) perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
    return [...perTopic].filter(([, count]) => count >= limit).map(([topic]) => topic);
  }

  private lease(limit: number, busyTopics: string[]): Promise<ClaimedMessage[]> {
    return leaseDueMessages(this.sql, this.options.schema, { limit, leaseMs: this.options.leaseMs ?? 60_000, busyTopics });
  }

  /**
   * One delivery attempt, never rejecting: its outcome. With tracing on it runs in a span `outbox deliver
   * <topic>` whose parent is the trace context the message was written in, so the trace of the call that
   * caused a message goes on through its delivery (and each retry of it).
   */
  private deliver(message: ClaimedMessage): Promise<DeliveryOutcome> {
    const { log, schema } = this.options;
    const attributes = { 'messaging.system': 'restock.outbox', 'messaging.destination.name': message.topic, 'messaging.message.id': message.dedupeKey, 'restock.outbox.attempt': message.attempts };
    return inSpan(`outbox deliver ${message.topic}`, { kind: SpanKind.CONSUMER, parent: message.traceparent, attributes }, async (span) => {
      const outcome = await this.attempt(message);
      if (outcome.delivered) log.debug({ outbox: schema, topic: message.topic, key: message.dedupeKey, attempts: message.attempts }, 'outbox message delivered');
      else failSpan(span, outcome.error);
      return outcome;
    });
  }

  private async attempt(message: ClaimedMessage): Promise<DeliveryOutcome> {
    const { maxAttempts, backoffMs, log, schema, deliveryTimeoutMs = 30_000 } = this.options;
    const { id, attempts } = message;
    let timer: NodeJS.Timeout | undefined;
    try {
      const deliver = this.handlers.get(message.topic);
      if (!deliver) throw new Error(`no handler for topic ${message.topic}`);
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`delivery timed out after ${deliveryTimeoutMs} ms`)), deliveryTimeoutMs);
      });
      await Promise.race([deliver(message.payload, message.dedupeKey), timedOut]);
      return { id, attempts, delivered: true };
    } catch (error) {
      const dead = attempts >= maxAttempts;
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
      log[dead ? 'error' : 'warn']({ outbox: schema, topic: message.topic, key: message.dedupeKey, attempts, error: reason }, dead ? 'outbox message is dead' : 'outbox delivery failed, will retry');
      const retryAfterMs = Math.round(Math.min(backoffMs * 2 ** (attempts - 1), MAX_BACKOFF_MS) * (0.75 + Math.random() / 2));
      return { id, attempts, delivered: false, error: reason, dead, retryAfterMs };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the loop's current wait, or its next one if it is not waiting (a delivery settled meanwhile). */
  private wake(): void {
    if (this.sleepers.size === 0) this.wakeMissed = true;
    for (const wake of this.sleepers) wake();
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeMissed) {
      this.wakeMissed = false;
      return Promise.resolve();
    }
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
