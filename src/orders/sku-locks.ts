import type { Knex } from '@mikro-orm/postgresql';
import { camelRows, type Orm, type Row, type Sql } from '../platform/orm';
import { lockSkusForSession, unlockAllSkus } from './sku-lock.repository';

/** LockedSession is one database connection holding the advisory locks of some SKUs across several transactions. */
export interface LockedSession {
  /** Runs work in a transaction on the session's connection; it commits without giving up the locks. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** A statement outside any transaction, on the session's connection. */
  sql: Sql;
}

/**
 * Runs work while holding the SKUs' advisory locks on one dedicated connection. A saga that calls
 * Inventory between its transactions (placement, allocation) stays serialized per SKU; if the process
 * dies the connection closes and PostgreSQL releases the locks.
 */
export async function withSkuLocks<T>(orm: Orm, skus: string[], work: (session: LockedSession) => Promise<T>): Promise<T> {
  const knex = orm.em.getKnex() as Knex;
  const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  const run = (runner: (text: string, params: readonly unknown[]) => Knex.Raw): Sql =>
    (async <R extends Row>(text: string, params: readonly unknown[] = []) =>
      camelRows<R>((await runner(text, params)) as unknown as { rows: Row[]; fields: { name: string }[] })) as Sql;
  const sql = run((text, params) => knex.raw(text, params as any[]).connection(connection as never));
  let locked = false;
  try {
    await lockSkusForSession(sql, skus);
    locked = true;
    return await work({
      sql,
      transaction: (body) => knex.transaction((trx) => body(run((text, params) => trx.raw(text, params as any[]))), { connection } as never),
    });
  } finally {
    if (locked) await unlockAllSkus(sql).catch(() => undefined);
    await client.releaseConnection(connection);
  }
}
