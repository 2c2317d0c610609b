import { ident, type Sql } from './orm';
import type { OutboxMessage } from './topics';
import { activeTraceparent } from './tracing';

/** A claimed outbox message: leased to one dispatcher until its lease runs out. */
export interface ClaimedMessage {
  id: number;
  topic: string;
  dedupeKey: string;
  payload: unknown;
  /** Attempts including this one. */
  attempts: number;
  /** The W3C trace context the message was written in; null without tracing. */
  traceparent: string | null;
}

/** How one delivery attempt ended: delivered, or failed with an error (retried at retryAfterMs, or dead). */
export type DeliveryOutcome = { id: number; attempts: number } & ({ delivered: true } | { delivered: false; error: string; dead: boolean; retryAfterMs: number });

/**
 * Writes messages to schema's outbox in the caller's transaction, each with the trace context it was made in
 * (else the active one); a message whose dedupe key exists is dropped.
 */
export async function insertMessages(sql: Sql, schema: string, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const active = activeTraceparent() ?? null;
  await sql(
    `INSERT INTO ${ident(schema)}.outbox (topic, dedupe_key, payload, traceparent)
     SELECT * FROM unnest(?::text[], ?::text[], ?::jsonb[], ?::text[])
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [messages.map((m) => m.topic), messages.map((m) => m.key), messages.map((m) => JSON.stringify(m.payload)), messages.map((m) => m.traceparent ?? active)],
  );
}

/**
 * Leases up to limit due messages (oldest first, none of the busy topics) for leaseMs and counts the
 * attempt, in one statement that commits on its own: no row lock is held while they are delivered. A
 * message whose lease ran out (its dispatcher died) is due again.
 */
export function leaseDueMessages(sql: Sql, schema: string, options: { limit: number; leaseMs: number; busyTopics: string[] }): Promise<ClaimedMessage[]> {
  const outbox = `${ident(schema)}.outbox`;
  return sql<ClaimedMessage>(
    `UPDATE ${outbox} o SET locked_until = now() + ? * interval '1 millisecond', attempts = o.attempts + 1
     FROM (SELECT id FROM ${outbox}
           WHERE status = 'pending' AND next_attempt_time <= now() AND (locked_until IS NULL OR locked_until <= now())
             AND topic <> ALL(?::text[])
           ORDER BY next_attempt_time, id LIMIT ? FOR UPDATE SKIP LOCKED) due
     WHERE o.id = due.id
     RETURNING o.id, o.topic, o.dedupe_key, o.payload, o.attempts, o.traceparent`,
    [options.leaseMs, options.busyTopics, options.limit],
  );
}

/** Records delivery outcomes in one statement: delivered, retried later, or dead; each lease is given up. */
export async function recordOutcomes(sql: Sql, schema: string, outcomes: DeliveryOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const failure = (o: DeliveryOutcome) => (o.delivered ? null : o);
  await sql(
    `UPDATE ${ident(schema)}.outbox o SET
       status = CASE WHEN r.delivered THEN 'delivered' WHEN r.dead THEN 'dead' ELSE 'pending' END,
       deliver_time = CASE WHEN r.delivered THEN now() END,
       last_error = r.error,
       next_attempt_time = CASE WHEN r.delivered THEN o.next_attempt_time ELSE now() + r.retry_after_ms * interval '1 millisecond' END,
       locked_until = NULL
     FROM unnest(?::bigint[], ?::int[], ?::bool[], ?::bool[], ?::text[], ?::int[]) AS r(id, attempts, delivered, dead, error, retry_after_ms)
     WHERE o.id = r.id AND o.attempts = r.attempts`,
    [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.attempts),
      outcomes.map((o) => o.delivered),
      outcomes.map((o) => failure(o)?.dead ?? false),
      outcomes.map((o) => failure(o)?.error ?? null),
      outcomes.map((o) => failure(o)?.retryAfterMs ?? 0),
    ],
  );
}

/** Deletes up to limit messages delivered before `before` (dead ones stay); returns how many went. */
export async function deleteDeliveredMessages(sql: Sql, schema: string, before: Date, limit: number): Promise<number> {
  const outbox = `${ident(schema)}.outbox`;
  const deleted = await sql(
    `DELETE FROM ${outbox} WHERE id IN (SELECT id FROM ${outbox} WHERE status = 'delivered' AND deliver_time < ? ORDER BY id LIMIT ?) RETURNING id`,
    [before, limit],
  );
  return deleted.length;
}
