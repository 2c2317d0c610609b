import { LockMode } from '@mikro-orm/core';
import { notFound } from '../platform/errors';
import type { EntityManager, Sql } from '../platform/orm';
import type { PolicyChange, PolicySettings } from './buffer-policy';
import { PolicyChangeSchema, SupplierSchema, type PolicyChangeEntity, type SupplierEntity } from './supplier.entity';
import type { Supplier } from './suppliers';

type SupplierRow = Omit<SupplierEntity, 'updateTime'>;

function toSupplier(row: SupplierRow): Supplier {
  const { supplierId, name, email, timeZone, quotedLeadTimeDays, currencyCode, nextReleaseTime } = row;
  const { minQuantity, minValue, releaseSchedule, maxWaitDays, paused } = row;
  return { supplierId, name, email, timeZone, quotedLeadTimeDays, currencyCode, nextReleaseTime, policy: { minQuantity, minValue, releaseSchedule, maxWaitDays, paused } };
}

const SUPPLIER_COLUMNS = `supplier_id, name, email, time_zone, quoted_lead_time_days, currency_code,
  min_quantity, min_value, release_schedule, max_wait_days, paused, next_release_time`;

/** Reads one supplier; NOT_FOUND when there is none. */
export async function findSupplier(em: EntityManager, supplierId: string): Promise<Supplier> {
  const row = await em.findOne(SupplierSchema, { supplierId }, { refresh: true });
  if (!row) throw notFound('supplier', supplierId);
  return toSupplier(row);
}

/** Reads one supplier and locks its row FOR UPDATE while it is replaced; undefined for a new supplier. */
export async function findSupplierForReplace(em: EntityManager, supplierId: string): Promise<Supplier | undefined> {
  const row = await em.findOne(SupplierSchema, { supplierId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  return row ? toSupplier(row) : undefined;
}

/** A page of suppliers with ids after `after`, ordered by id. */
export async function findSuppliers(em: EntityManager, after: string, limit: number): Promise<Supplier[]> {
  const rows = await em.find(SupplierSchema, { supplierId: { $gt: after } }, { orderBy: { supplierId: 'asc' }, limit });
  return rows.map(toSupplier);
}

/**
 * Locks one supplier's row FOR NO KEY UPDATE, which serialises its releases and policy changes without
 * blocking rows that reference it; SQL because MikroORM has no lock mode for it. NOT_FOUND when there is none.
 */
/**
 * Whether evaluating the supplier's buffer as of asOf could release it: not paused, and a minimum quantity,
 * minimum value or maximum wait set, or its schedule due. Otherwise nothing can fire until the schedule comes
 * due, and there is no need to sum the buffer.
 */
export async function mayRelease(sql: Sql, supplierId: string, asOf: Date): Promise<boolean> {
  const [row] = await sql<{ releases: boolean }>(
    'SELECT NOT paused AND (min_quantity > 0 OR min_value > 0 OR max_wait_days > 0 OR next_release_time <= ?) AS releases FROM procurement.supplier WHERE supplier_id = ?',
    [asOf, supplierId],
  );
  return row?.releases ?? false;
}

export async function lockSupplier(sql: Sql, supplierId: string): Promise<Supplier> {
  const [row] = await sql<SupplierRow>(`SELECT ${SUPPLIER_COLUMNS} FROM procurement.supplier WHERE supplier_id = ? FOR NO KEY UPDATE`, [supplierId]);
  if (!row) throw notFound('supplier', supplierId);
  return toSupplier(row);
}

/** Locks suppliers' rows in id order (so concurrent releases never deadlock) and returns them: one statement per release batch. */
export async function lockSuppliers(sql: Sql, supplierIds: string[]): Promise<Supplier[]> {
  const rows = await sql<SupplierRow>(
    `SELECT ${SUPPLIER_COLUMNS} FROM procurement.supplier WHERE supplier_id = ANY(?) ORDER BY supplier_id FOR NO KEY UPDATE`,
    [supplierIds],
  );
  return rows.map(toSupplier);
}

/** Reads suppliers by id without locking them (previews), ordered by id. */
export async function findSuppliersByIds(sql: Sql, supplierIds: string[]): Promise<Supplier[]> {
  const rows = await sql<SupplierRow>(`SELECT ${SUPPLIER_COLUMNS} FROM procurement.supplier WHERE supplier_id = ANY(?) ORDER BY supplier_id`, [supplierIds]);
  return rows.map(toSupplier);
}

/** Moves the schedules of these suppliers on to their next release times, in one statement (release path). */
export async function moveNextReleaseTimes(sql: Sql, moves: { supplierId: string; next: Date }[]): Promise<void> {
  await sql(
    `UPDATE procurement.supplier s SET next_release_time = m.next FROM unnest(?::text[], ?::timestamptz[]) AS m(supplier_id, next)
     WHERE s.supplier_id = m.supplier_id`,
    [moves.map((m) => m.supplierId), moves.map((m) => m.next)],
  );
}

/** Creates or replaces a supplier's row (its first create time stays). */
export async function saveSupplier(em: EntityManager, supplier: Supplier): Promise<Supplier> {
  const { policy, ...fields } = supplier;
  const row = await em.upsert(SupplierSchema, { ...fields, ...policy, updateTime: new Date() });
  return toSupplier(row);
}

/** Replaces a supplier's release rules and the time its schedule fires next. */
export async function updateSupplierPolicy(em: EntityManager, supplierId: string, policy: PolicySettings, nextReleaseTime: Date): Promise<void> {
  await em.nativeUpdate(SupplierSchema, { supplierId }, { ...policy, nextReleaseTime, updateTime: new Date() });
}

/** Appends a change to a supplier's policy audit trail. */
export async function insertPolicyChange(em: EntityManager, change: PolicyChange): Promise<void> {
  await em.insert<PolicyChangeEntity>(PolicyChangeSchema, change);
}

/** Up to `limit` of a supplier's policy changes with ids below `beforeId`, newest first, with their ids. */
export async function findPolicyChanges(em: EntityManager, supplierId: string, beforeId: number, limit: number): Promise<(PolicyChange & { id: number })[]> {
  const rows = await em.find(PolicyChangeSchema, { supplierId, id: { $lt: beforeId } }, { orderBy: { id: 'desc' }, limit });
  return rows.map(({ id, updatedBy, reason, oldPolicy, newPolicy, changeTime }) => ({ id, supplierId, updatedBy, reason, oldPolicy, newPolicy, changeTime }));
}
