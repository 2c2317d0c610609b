import type { Knex } from '@mikro-orm/postgresql';
import { camelRows, type Orm, type Row, type Sql } from '../platform/orm';
import { lockSkusForSession, tryLockSkusForSession, unlockAllSkus } from './sku-lock.repository';

/** LockedSession is one database connection holding the advisory locks of some SKUs across several transactions. */
export interface LockedSession {
  /** Runs work in a transaction on the session's connection; it commits without giving up the locks. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** A statement outside any transaction, on the session's connection. */
  sql: Sql;
}

/**
 * Runs work while holding the SKUs' advisory locks on one dedicated connection; if the process dies the
 * connection closes and PostgreSQL releases the locks. Only the sagas that must see a SKU's queue and
 * its free stock in Inventory as one state use it (placement, allocation, receipts). When another
 * session holds one of the locks, whenBusy is called before waiting for them.
 */
export async function withSkuLocks<T>(orm: Orm, skus: string[], work: (session: LockedSession) => Promise<T>, whenBusy?: () => void): Promise<T> {
  const knex = orm.em.getKnex() as Knex;
  const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  const run = (runner: (text: string, params: readonly unknown[]) => Knex.Raw): Sql =>
    (async <R extends Row>(text: string, params: readonly unknown[] = []) =>
      camelRows<R>((await runner(text, params)) as unknown as { rows: Row[]; fields: { name: string }[] })) as Sql;
  const sql = run((text, params) => knex.raw(text, params as any[]).connection(connection as never));
  let locked = false;
  // The locks stay held across the Inventory calls: a FIFO plan is only right for the queue and the free
  // stock it was made from, so nothing else may place, plan or take that SKU's free units (a receipt's
  // units included, which belong to the demand they fill) until the reservation is made and applied.
  try {
    locked = true;
    if (!whenBusy) await lockSkusForSession(sql, skus);
    else if (!(await tryLockSkusForSession(sql, skus))) {
      await unlockAllSkus(sql); // the ones it got, so that it waits for all in order (no deadlock)
      whenBusy();
      await lockSkusForSession(sql, skus);
    }
    return await work({
      sql,
      transaction: (body) => knex.transaction((trx) => body(run((text, params) => trx.raw(text, params as any[]))), { connection } as never),
    });
  } finally {
    if (locked) await unlockAllSkus(sql).catch(() => undefined);
    await client.releaseConnection(connection);
  }
}
