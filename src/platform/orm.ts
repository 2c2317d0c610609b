import { MikroORM, type EntitySchema, type Constructor } from '@mikro-orm/core';
import { Migrator, type Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver, type EntityManager } from '@mikro-orm/postgresql';
import { Client, TypeOverrides } from 'pg';
import type { Logger } from './logger';

export type { EntityManager };
export type Orm = MikroORM<PostgreSqlDriver>;

/** What a service brings to its own ORM: its schema, entities and migrations. */
export interface ServiceSchema {
  schema: string;
  entities: EntitySchema<any, any>[];
  migrations: { name: string; class: Constructor<Migration> }[];
}

const INT8 = 20;

/**
 * How rows come back, for entities and raw statements alike: timestamptz as Date and numeric as an exact
 * decimal string (pg's defaults, which MikroORM would turn into strings), int8 (ids, counts, sums) as a
 * number, refused when it does not fit one exactly.
 */
export const typeParsers = new TypeOverrides();
typeParsers.setTypeParser(INT8, (text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} is beyond 2^53 - 1`);
  return value;
});

/** A schema or table name quoted as an SQL identifier: names never enter SQL text unquoted. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const CONNECT_TIMEOUT_MS = 5000;

/** knex's own messages, to the process log: warnings of dropped connections at debug (an outage is logged once, by DatabaseHealth). */
function knexLog(log: Logger) {
  return {
    warn: (message: unknown) => log.debug({ knex: String(message) }, 'knex warning'),
    error: (message: unknown) => log.error({ knex: String(message) }, 'knex error'),
    deprecate: (method: unknown, alternative: unknown) => log.debug({ knex: `${String(method)} is deprecated, use ${String(alternative)}` }, 'knex deprecation'),
    debug: (message: unknown) => log.trace({ knex: message }, 'knex debug'),
  };
}

/** Opens one MikroORM for a service, scoped to the service's own PostgreSQL schema. */
export async function initOrm(url: string, service: ServiceSchema, poolSize: number, log: Logger): Promise<Orm> {
  return MikroORM.init<PostgreSqlDriver>({
    driver: PostgreSqlDriver,
    clientUrl: url,
    schema: service.schema,
    entities: service.entities,
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    allowGlobalContext: false,
    pool: { min: 0, max: poolSize },
    driverOptions: {
      // A connection that does not come within 5 s fails (the default waits for the OS, minutes, on a host that
      // drops packets); keepalive finds a dead peer on an idle connection. Connections the server dropped are
      // marked by knex when they fail and left out at their next checkout, so the pool heals by itself.
      connection: { types: typeParsers, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true },
      // knex warns on the console of each dead connection it drops: one line per connection during an outage
      log: knexLog(log.child({ orm: service.schema })),
    },
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: service.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    logger: (message) => log.debug({ orm: service.schema }, message),
  });
}

/** Applies pending migrations of every service, one process at a time (a session advisory lock). */
export async function migrate(url: string, orms: Orm[], log: Logger): Promise<void> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock(hashtext('restock.migrations'))");
    for (const orm of orms) {
      const applied = await orm.getMigrator().up();
      if (applied.length > 0) log.info({ schema: orm.config.get('schema'), applied: applied.map((m) => m.name) }, 'migrated');
    }
  } finally {
    await lock.end();
  }
}

/** Row is one result row of a raw statement. */
export type Row = Record<string, any>;

/** Sql runs one parameterised statement (`?` placeholders) and returns its rows. */
export type Sql = <T extends Row = Row>(text: string, params?: readonly unknown[]) => Promise<T[]>;

/**
 * Raw SQL inside em's transaction (if any): for set-based statements on hot paths. Result columns come
 * back camelCased (`order_id` as `orderId`), so statements select plain column names.
 */
export function sqlOf(em: EntityManager): Sql {
  const knex = em.getKnex();
  const ctx = em.getTransactionContext();
  return async <T extends Row>(text: string, params: readonly unknown[] = []) => {
    const query = knex.raw(text, params as any[]);
    if (ctx) query.transacting(ctx);
    const result = (await query) as { rows: Row[]; fields: { name: string }[] };
    return camelRows<T>(result);
  };
}

const camelNames = new Map<string, string>();

function camelName(column: string): string {
  let name = camelNames.get(column);
  if (name === undefined) {
    name = column.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
    camelNames.set(column, name);
  }
  return name;
}

/** A result's rows with camelCased column names (rows are left as they are when no name has an underscore). */
export function camelRows<T>(result: { rows: Row[]; fields: { name: string }[] }): T[] {
  const names = result.fields.map((field) => field.name);
  if (!names.some((name) => name.includes('_'))) return result.rows as T[];
  const renamed = names.map(camelName);
  return result.rows.map((row) => {
    const out: Row = {};
    for (let i = 0; i < names.length; i++) out[renamed[i]] = row[names[i]];
    return out as T;
  });
}

/**
 * Runs work in a new transaction on a fresh fork of orm's EntityManager. Changes are written by statements
 * (or em.upsert), never by a flush: em.transactional() and em.flush() keep their context in an
 * AsyncLocalStorage, which turns on promise hooks for every promise of the process.
 */
export async function transaction<T>(orm: Orm, work: (sql: Sql, em: EntityManager) => Promise<T>): Promise<T> {
  const em = orm.em.fork();
  const connection = em.getConnection('write');
  const trx = await connection.begin();
  em.setTransactionContext(trx);
  try {
    const result = await work(sqlOf(em), em);
    await connection.commit(trx);
    return result;
  } catch (error) {
    await connection.rollback(trx).catch(() => undefined); // the work's error is the one to report
    throw error;
  }
}
