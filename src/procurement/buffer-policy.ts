import type { Clock } from '../platform/clock';
import { invalidArgument } from '../platform/errors';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { nextReleaseTime } from './schedule';
import { findSupplier, type Supplier } from './suppliers';

/** A supplier's release rules as stored: min value is a decimal string in the supplier's currency. */
export interface PolicySettings {
  minQuantity: number;
  minValue: string;
  releaseSchedule: string;
  maxWaitDays: number;
  paused: boolean;
}

/** One entry of the audit trail: who changed a supplier's policy, when, why, and from what to what. */
export interface PolicyChange {
  supplierId: string;
  updatedBy: string;
  reason: string;
  oldPolicy: PolicySettings;
  newPolicy: PolicySettings;
  changeTime: Date;
}

/** True when two policies release alike (min values compared as numbers). */
export function samePolicy(a: PolicySettings, b: PolicySettings): boolean {
  return a.minQuantity === b.minQuantity && Number(a.minValue) === Number(b.minValue) && a.releaseSchedule === b.releaseSchedule
    && a.maxWaitDays === b.maxWaitDays && a.paused === b.paused;
}

/** Appends a change to the audit trail in the caller's transaction. */
export async function recordPolicyChange(sql: Sql, change: PolicyChange): Promise<void> {
  await sql(
    `INSERT INTO procurement.policy_change (supplier_id, updated_by, reason, old_policy, new_policy, change_time)
     VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?)`,
    [change.supplierId, change.updatedBy, change.reason, JSON.stringify(change.oldPolicy), JSON.stringify(change.newPolicy), change.changeTime],
  );
}

/**
 * Replaces a supplier's release rules and records who, when, why and old → new. A new schedule, time
 * zone or an unpause restarts the schedule from now.
 */
export function updateBufferPolicy(
  orm: Orm,
  clock: Clock,
  request: { supplierId: string; policy: PolicySettings; minValueCurrency: string; updatedBy: string; reason: string },
): Promise<Supplier> {
  return transaction(orm, async (sql) => {
    const now = clock.now();
    const before = await findSupplier(sql, request.supplierId, true);
    const { policy, minValueCurrency, ...audit } = request;
    if (Number(policy.minValue) !== 0 && minValueCurrency !== before.currencyCode) {
      throw invalidArgument([{ field: 'policy.min_value.currency_code', description: `must be the supplier currency ${before.currencyCode}` }]);
    }
    const restart = before.policy.releaseSchedule !== policy.releaseSchedule || (before.policy.paused && !policy.paused);
    const next = restart ? nextReleaseTime(policy.releaseSchedule, before.timeZone, now) : before.nextReleaseTime;
    await sql(
      `UPDATE procurement.supplier SET min_quantity = ?, min_value = ?::numeric, release_schedule = ?, max_wait_days = ?, paused = ?,
         next_release_time = ?, update_time = now() WHERE supplier_id = ?`,
      [policy.minQuantity, policy.minValue, policy.releaseSchedule, policy.maxWaitDays, policy.paused, next, request.supplierId],
    );
    await recordPolicyChange(sql, { ...audit, oldPolicy: before.policy, newPolicy: policy, changeTime: now });
    return findSupplier(sql, request.supplierId);
  });
}

/** A page of a supplier's policy changes, newest first. */
export async function listPolicyChanges(orm: Orm, supplierId: string, limit: number, pageToken: string): Promise<{ changes: PolicyChange[]; nextPageToken: string; currencyCode: string }> {
  const sql = sqlOf(orm.em);
  const { currencyCode } = await findSupplier(sql, supplierId);
  const before = decodePageToken(pageToken, (p): p is number => Number.isSafeInteger(p));
  const rows = await sql<Omit<PolicyChange, 'changeTime'> & { id: number; changeTime: string }>(
    `SELECT id::int AS id, supplier_id AS "supplierId", updated_by AS "updatedBy", reason, old_policy AS "oldPolicy",
       new_policy AS "newPolicy", change_time AS "changeTime"
     FROM procurement.policy_change WHERE supplier_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    [supplierId, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    currencyCode,
    changes: page.map(({ id: _id, changeTime, ...change }) => ({ ...change, changeTime: new Date(changeTime) })),
    nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].id) : '',
  };
}
