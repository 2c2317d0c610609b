import { createHash } from 'node:crypto';
import { alreadyExists } from './errors';
import { claimKeys, firstRequests, storeResponses } from './idempotency.repository';
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
  const [result] = await onceEach(sql, schema, operation, [{ key, request }], async () => [await apply()]);
  return result;
}

/**
 * once() for several requests (distinct keys) in one transaction: apply gets the requests not seen
 * before, in order, and returns one result each; the others get their stored first result.
 */
export async function onceEach<R, T>(
  sql: Sql,
  schema: string,
  operation: string,
  requests: { key: string; request: R }[],
  apply: (fresh: R[]) => Promise<T[]>,
): Promise<T[]> {
  const keys = requests.map((r) => r.key);
  const hashes = requests.map((r) => requestHash(r.request));
  const isFresh = new Set(await claimKeys(sql, schema, operation, keys, hashes));
  const stored = new Map<string, T>();
  if (isFresh.size < keys.length) {
    for (const first of await firstRequests<T>(sql, schema, operation, keys.filter((key) => !isFresh.has(key)))) {
      if (first.requestHash !== hashes[keys.indexOf(first.key)]) throw alreadyExists(first.key, `${first.key} was already used for a different ${operation} request`);
      stored.set(first.key, first.response);
    }
  }
  const fresh = requests.filter((r) => isFresh.has(r.key));
  const results = fresh.length > 0 ? await apply(fresh.map((r) => r.request)) : [];
  if (fresh.length > 0) await storeResponses(sql, schema, operation, fresh.map((r) => r.key), results);
  const fromApply = new Map(fresh.map((r, i) => [r.key, results[i]]));
  return keys.map((key) => (fromApply.has(key) ? fromApply.get(key)! : stored.get(key)!));
}
