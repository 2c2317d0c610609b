import type { Clock } from '../platform/clock';
import { failedPrecondition, notFound } from '../platform/errors';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { recordPolicyChange, samePolicy, type PolicySettings } from './buffer-policy';
import { DEFAULT_RELEASE_SCHEDULE, nextReleaseTime } from './schedule';

/** Supplier is a vendor we buy from, with its buffer policy (min value as a decimal in its currency). */
export interface Supplier {
  supplierId: string;
  name: string;
  email: string;
  timeZone: string;
  quotedLeadTimeDays: number;
  currencyCode: string;
  policy: PolicySettings;
  nextReleaseTime: Date;
}

/** A supplier as a request gives it; a null policy keeps the current one (defaults for a new supplier). */
export type SupplierFields = Omit<Supplier, 'nextReleaseTime' | 'policy'> & { policy: PolicySettings | null };

const SUPPLIER_COLUMNS = `supplier_id AS "supplierId", name, email, time_zone AS "timeZone",
  quoted_lead_time_days AS "quotedLeadTimeDays", currency_code AS "currencyCode",
  min_quantity AS "minQuantity", min_value::text AS "minValue", release_schedule AS "releaseSchedule",
  max_wait_days AS "maxWaitDays", paused, next_release_time AS "nextReleaseTime"`;

type SupplierRow = Omit<Supplier, 'policy' | 'nextReleaseTime'> & PolicySettings & { nextReleaseTime: string };

function toSupplier(row: SupplierRow): Supplier {
  const { minQuantity, minValue, releaseSchedule, maxWaitDays, paused, nextReleaseTime: next, ...rest } = row;
  return { ...rest, policy: { minQuantity, minValue, releaseSchedule, maxWaitDays, paused }, nextReleaseTime: new Date(next) };
}

const DEFAULT_POLICY: PolicySettings = { minQuantity: 0, minValue: '0', releaseSchedule: DEFAULT_RELEASE_SCHEDULE, maxWaitDays: 0, paused: false };

/** Reads one supplier in the caller's transaction, optionally locking its row (serialises its releases). */
export async function findSupplier(sql: Sql, supplierId: string, lock = false): Promise<Supplier> {
  const [row] = await sql<SupplierRow>(
    `SELECT ${SUPPLIER_COLUMNS} FROM procurement.supplier WHERE supplier_id = ? ${lock ? 'FOR NO KEY UPDATE' : ''}`,
    [supplierId],
  );
  if (!row) throw notFound('supplier', supplierId);
  return toSupplier(row);
}

/** Locks suppliers' rows in id order (so concurrent releases never deadlock) and returns them. */
export async function lockSuppliers(sql: Sql, supplierIds: string[]): Promise<Supplier[]> {
  const rows = await sql<SupplierRow>(
    `SELECT ${SUPPLIER_COLUMNS} FROM procurement.supplier WHERE supplier_id = ANY(?) ORDER BY supplier_id FOR NO KEY UPDATE`,
    [supplierIds],
  );
  return rows.map(toSupplier);
}

/** Returns one supplier. */
export function getSupplier(orm: Orm, supplierId: string): Promise<Supplier> {
  return findSupplier(sqlOf(orm.em), supplierId);
}

/** A page of suppliers ordered by id. */
export async function listSuppliers(orm: Orm, limit: number, pageToken: string): Promise<{ suppliers: Supplier[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, (p): p is string => typeof p === 'string');
  const rows = await sqlOf(orm.em)<SupplierRow>(
    `SELECT ${SUPPLIER_COLUMNS} FROM procurement.supplier WHERE supplier_id > ? ORDER BY supplier_id LIMIT ?`,
    [after ?? '', limit + 1],
  );
  const page = rows.slice(0, limit).map(toSupplier);
  return { suppliers: page, nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].supplierId) : '' };
}

/**
 * Creates or replaces a supplier. Without a policy an existing supplier keeps its own; a changed policy is
 * recorded in the audit trail like any other policy change. The currency cannot change while the supplier
 * has products priced in the old one.
 */
export function upsertSupplier(orm: Orm, clock: Clock, fields: SupplierFields): Promise<Supplier> {
  return transaction(orm, async (sql) => {
    const now = clock.now();
    const [existing] = await sql<SupplierRow>(`SELECT ${SUPPLIER_COLUMNS} FROM procurement.supplier WHERE supplier_id = ? FOR UPDATE`, [fields.supplierId]);
    const before = existing ? toSupplier(existing) : undefined;
    if (before && before.currencyCode !== fields.currencyCode) {
      const [{ products }] = await sql<{ products: number }>('SELECT count(*)::int AS products FROM procurement.supplier_product WHERE supplier_id = ?', [fields.supplierId]);
      if (products > 0) {
        throw failedPrecondition('SUPPLIER_CURRENCY_CHANGE', `supplier ${fields.supplierId} has products priced in ${before.currencyCode}`, { supplier_id: fields.supplierId });
      }
    }
    const policy = fields.policy ?? before?.policy ?? DEFAULT_POLICY;
    const next = nextReleaseTime(policy.releaseSchedule, fields.timeZone, now);
    const [row] = await sql<SupplierRow>(
      `INSERT INTO procurement.supplier (supplier_id, name, email, time_zone, quoted_lead_time_days, currency_code,
         min_quantity, min_value, release_schedule, max_wait_days, paused, next_release_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?::numeric, ?, ?, ?, ?)
       ON CONFLICT (supplier_id) DO UPDATE SET name = excluded.name, email = excluded.email, time_zone = excluded.time_zone,
         quoted_lead_time_days = excluded.quoted_lead_time_days, currency_code = excluded.currency_code,
         min_quantity = excluded.min_quantity, min_value = excluded.min_value, release_schedule = excluded.release_schedule,
         max_wait_days = excluded.max_wait_days, paused = excluded.paused,
         next_release_time = CASE WHEN supplier.release_schedule = excluded.release_schedule AND supplier.time_zone = excluded.time_zone
           AND supplier.paused = excluded.paused THEN supplier.next_release_time ELSE excluded.next_release_time END,
         update_time = now()
       RETURNING ${SUPPLIER_COLUMNS}`,
      [fields.supplierId, fields.name, fields.email, fields.timeZone, fields.quotedLeadTimeDays, fields.currencyCode,
        policy.minQuantity, policy.minValue, policy.releaseSchedule, policy.maxWaitDays, policy.paused, next],
    );
    if (before && !samePolicy(before.policy, policy)) {
      await recordPolicyChange(sql, { supplierId: fields.supplierId, updatedBy: 'UpsertSupplier', reason: 'supplier replaced', oldPolicy: before.policy, newPolicy: policy, changeTime: now });
    }
    return toSupplier(row);
  });
}
