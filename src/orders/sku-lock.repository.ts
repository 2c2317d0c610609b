import type { Sql } from '../platform/orm';

// Two-key advisory locks in their own class: they never collide with single-key locks (migrations) elsewhere.
const LOCK_CLASS = `hashtext('restock.orders.sku')`;
const SKU_KEYS = `(SELECT DISTINCT hashtext(s) AS k FROM unnest(?::text[]) AS s ORDER BY k) AS keys`;

/** Takes the transaction-scoped lock of each SKU, in hash order (no deadlocks): for single-transaction writers. */
export async function lockSkusInTransaction(sql: Sql, skus: string[]): Promise<void> {
  await sql(`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, k) FROM ${SKU_KEYS}`, [skus]);
}

/** Takes the session-scoped lock of each SKU, in hash order, on sql's connection: held until unlockAllSkus. */
export async function lockSkusForSession(sql: Sql, skus: string[]): Promise<void> {
  await sql(`SELECT pg_advisory_lock(${LOCK_CLASS}, k) FROM ${SKU_KEYS}`, [skus]);
}

/** Tries to take the session-scoped lock of each SKU without waiting; true when it got them all (else it may hold some). */
export async function tryLockSkusForSession(sql: Sql, skus: string[]): Promise<boolean> {
  const [{ locked }] = await sql<{ locked: boolean }>(`SELECT bool_and(pg_try_advisory_lock(${LOCK_CLASS}, k)) AS locked FROM ${SKU_KEYS}`, [skus]);
  return locked;
}

/** Gives up every session-scoped advisory lock of sql's connection. */
export async function unlockAllSkus(sql: Sql): Promise<void> {
  await sql('SELECT pg_advisory_unlock_all()');
}
