import { ident } from './orm';

/** DDL of the tables every service schema has: idempotency keys, the outbox and scheduler ticks. */
export function platformTablesSql(schema: string): string[] {
  const s = ident(schema);
  return [
    `CREATE TABLE ${s}.idempotency_key (
      operation text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      response jsonb,
      create_time timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (operation, key))`,
    `CREATE TABLE ${s}.outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      dedupe_key text NOT NULL UNIQUE,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
      attempts int NOT NULL DEFAULT 0,
      next_attempt_time timestamptz NOT NULL DEFAULT now(),
      last_error text,
      create_time timestamptz NOT NULL DEFAULT now(),
      deliver_time timestamptz)`,
    `CREATE INDEX outbox_due ON ${s}.outbox (next_attempt_time, id) WHERE status = 'pending'`,
    `CREATE TABLE ${s}.scheduler_tick (task text PRIMARY KEY, last_tick timestamptz NOT NULL)`,
  ];
}

/** DDL that adds outbox leases: a claimed message is leased (locked_until) instead of row-locked while it is delivered. */
export function outboxLeaseSql(schema: string): string[] {
  return [`ALTER TABLE ${ident(schema)}.outbox ADD COLUMN locked_until timestamptz`];
}
