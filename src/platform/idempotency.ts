import { createHash } from 'node:crypto';
import { alreadyExists } from './errors';
import type { Sql } from './orm';

/** Hash of a request's content, to tell a retry from a different request with the same key. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(stableJson(request)).digest('hex');
}

function stableJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs apply once per (operation, key) inside the caller's transaction and returns its result; a retry
 * returns the stored first result, and the same key with a different request is ALREADY_EXISTS.
 * A concurrent retry waits on the key's row until the first transaction ends.
 */
export async function once<T>(sql: Sql, schema: string, operation: string, key: string, request: unknown, apply: () => Promise<T>): Promise<T> {
  const hash = requestHash(request);
  const claimed = await sql(
    `INSERT INTO ${schema}.idempotency_key (operation, key, request_hash) VALUES (?, ?, ?)
     ON CONFLICT (operation, key) DO NOTHING RETURNING key`,
    [operation, key, hash],
  );
  if (claimed.length === 0) {
    const [first] = await sql<{ request_hash: string; response: T }>(
      `SELECT request_hash, response FROM ${schema}.idempotency_key WHERE operation = ? AND key = ?`,
      [operation, key],
    );
    if (first.request_hash !== hash) throw alreadyExists(key, `${key} was already used for a different ${operation} request`);
    return first.response;
  }
  const result = await apply();
  await sql(`UPDATE ${schema}.idempotency_key SET response = ?::jsonb WHERE operation = ? AND key = ?`, [JSON.stringify(result), operation, key]);
  return result;
}
