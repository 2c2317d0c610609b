import { ident, type Sql } from './orm';

/** Claims the keys of operation not seen before, each with its request's hash; returns the claimed ones. */
export async function claimKeys(sql: Sql, schema: string, operation: string, keys: string[], hashes: string[]): Promise<string[]> {
  const claimed = await sql<{ key: string }>(
    `INSERT INTO ${ident(schema)}.idempotency_key (operation, key, request_hash) SELECT ?, * FROM unnest(?::text[], ?::text[])
     ON CONFLICT (operation, key) DO NOTHING RETURNING key`,
    [operation, keys, hashes],
  );
  return claimed.map((c) => c.key);
}

/** The first requests' hashes and stored responses under these keys (a concurrent first waits for its commit). */
export function firstRequests<T>(sql: Sql, schema: string, operation: string, keys: string[]): Promise<{ key: string; requestHash: string; response: T }[]> {
  return sql(`SELECT key, request_hash, response FROM ${ident(schema)}.idempotency_key WHERE operation = ? AND key = ANY(?)`, [operation, keys]);
}

/** Stores each key's response, for retries to return. */
export async function storeResponses(sql: Sql, schema: string, operation: string, keys: string[], responses: unknown[]): Promise<void> {
  await sql(
    `UPDATE ${ident(schema)}.idempotency_key k SET response = r.response FROM unnest(?::text[], ?::jsonb[]) AS r(key, response)
     WHERE k.operation = ? AND k.key = r.key`,
    [keys, responses.map((response) => JSON.stringify(response ?? null)), operation],
  );
}

/** Deletes up to limit idempotency keys claimed before `before`; returns how many went. */
export async function deleteKeys(sql: Sql, schema: string, before: Date, limit: number): Promise<number> {
  const keys = `${ident(schema)}.idempotency_key`;
  const deleted = await sql(
    `DELETE FROM ${keys} WHERE (operation, key) IN (SELECT operation, key FROM ${keys} WHERE create_time < ? LIMIT ?) RETURNING key`,
    [before, limit],
  );
  return deleted.length;
}
