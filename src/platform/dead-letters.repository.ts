import { ident, type Sql } from './orm';

/**
 * DDL of the dead-letter tools on a service schema: messages can be discarded (kept, status 'discarded', so
 * their dedupe key still drops a second message with it), the time a message died is recorded (by a trigger
 * that fires only on the change to 'dead', so the dispatcher's statements stay as they are), and every retry
 * or discard is audited in outbox_audit (no foreign key: retention deletes delivered messages, the audit stays).
 */
export function outboxAuditSql(schema: string): string[] {
  const s = ident(schema);
  return [
    `ALTER TABLE ${s}.outbox DROP CONSTRAINT outbox_status_check`,
    `ALTER TABLE ${s}.outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'delivered', 'dead', 'discarded'))`,
    `ALTER TABLE ${s}.outbox ADD COLUMN dead_time timestamptz`,
    // messages dead before this migration: their last failure set next_attempt_time to about then
    `UPDATE ${s}.outbox SET dead_time = least(next_attempt_time, now()) WHERE status = 'dead'`,
    `CREATE INDEX outbox_dead ON ${s}.outbox (id) WHERE status = 'dead'`,
    `CREATE FUNCTION ${s}.outbox_set_dead_time() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.dead_time := now(); RETURN NEW; END $$`,
    `CREATE TRIGGER outbox_dead_time BEFORE UPDATE OF status ON ${s}.outbox FOR EACH ROW
       WHEN (NEW.status = 'dead' AND OLD.status IS DISTINCT FROM 'dead') EXECUTE FUNCTION ${s}.outbox_set_dead_time()`,
    `CREATE TABLE ${s}.outbox_audit (
      id bigserial PRIMARY KEY,
      message_id bigint NOT NULL,
      action text NOT NULL CHECK (action IN ('retry', 'discard')),
      topic text NOT NULL,
      dedupe_key text NOT NULL,
      attempts int NOT NULL,
      last_error text,
      reason text NOT NULL,
      actor text NOT NULL,
      action_time timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX outbox_audit_message ON ${s}.outbox_audit (message_id)`,
  ];
}

/** A dead outbox message as the dead-letter tools show it. */
export interface DeadMessageRow {
  id: number;
  topic: string;
  dedupeKey: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createTime: Date;
  deadTime: Date | null;
}

/** An audited retry or discard. */
export interface OutboxAuditRow {
  id: number;
  messageId: number;
  action: 'retry' | 'discard';
  topic: string;
  dedupeKey: string;
  attempts: number;
  lastError: string | null;
  reason: string;
  actor: string;
  actionTime: Date;
}

const MESSAGE_COLUMNS = 'id, topic, dedupe_key, status, attempts, last_error, create_time, dead_time';
const AUDIT_COLUMNS = 'id, message_id, action, topic, dedupe_key, attempts, last_error, reason, actor, action_time';

/** Up to limit dead messages with an id above afterId, oldest first, of one topic when given. */
export function listDeadMessages(sql: Sql, schema: string, options: { topic?: string; afterId: number; limit: number }): Promise<DeadMessageRow[]> {
  return sql<DeadMessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM ${ident(schema)}.outbox
     WHERE status = 'dead' AND id > ? AND (?::text IS NULL OR topic = ?)
     ORDER BY id LIMIT ?`,
    [options.afterId, options.topic ?? null, options.topic ?? null, options.limit],
  );
}

/** Locks one message (any status) for an action in the caller's transaction; undefined when there is none. */
export async function lockMessage(sql: Sql, schema: string, id: number): Promise<DeadMessageRow | undefined> {
  const [row] = await sql<DeadMessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM ${ident(schema)}.outbox WHERE id = ? FOR UPDATE`, [id]);
  return row;
}

/** Makes a dead message due now with a fresh budget of attempts (its last error stays until the next attempt). */
export async function requeueDeadMessage(sql: Sql, schema: string, id: number): Promise<void> {
  await sql(
    `UPDATE ${ident(schema)}.outbox SET status = 'pending', attempts = 0, next_attempt_time = now(), locked_until = NULL, dead_time = NULL
     WHERE id = ? AND status = 'dead'`,
    [id],
  );
}

/** Marks a dead message discarded: never delivered, kept so that its dedupe key still counts. */
export async function discardDeadMessage(sql: Sql, schema: string, id: number): Promise<void> {
  await sql(`UPDATE ${ident(schema)}.outbox SET status = 'discarded' WHERE id = ? AND status = 'dead'`, [id]);
}

/** Records an action on a message, as it was before the action, by actor. */
export async function insertAuditAction(
  sql: Sql,
  schema: string,
  action: { message: DeadMessageRow; action: 'retry' | 'discard'; reason: string; actor: string },
): Promise<OutboxAuditRow> {
  const { message } = action;
  const [row] = await sql<OutboxAuditRow>(
    `INSERT INTO ${ident(schema)}.outbox_audit (message_id, action, topic, dedupe_key, attempts, last_error, reason, actor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${AUDIT_COLUMNS}`,
    [message.id, action.action, message.topic, message.dedupeKey, message.attempts, message.lastError, action.reason, action.actor],
  );
  return row;
}

/** Up to limit audited actions with an id below beforeId (all when null), newest first. */
export function listAuditActions(sql: Sql, schema: string, options: { beforeId: number | null; limit: number }): Promise<OutboxAuditRow[]> {
  return sql<OutboxAuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM ${ident(schema)}.outbox_audit WHERE (?::bigint IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
    [options.beforeId, options.beforeId, options.limit],
  );
}
