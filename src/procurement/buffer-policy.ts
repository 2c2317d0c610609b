import type { Clock } from '../platform/clock';
import { invalidArgument } from '../platform/errors';
import { Amount } from '../platform/money';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { transaction, type Orm } from '../platform/orm';
import { nextReleaseTime } from './schedule';
import { findPolicyChanges, findSupplier, insertPolicyChange, lockSupplier, updateSupplierPolicy } from './supplier.repository';
import type { Supplier } from './suppliers';

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

/** True when two policies of a supplier pricing in currencyCode release alike (min values compared exactly). */
export function samePolicy(a: PolicySettings, b: PolicySettings, currencyCode: string): boolean {
  return a.minQuantity === b.minQuantity && Amount.parse(a.minValue, currencyCode).equals(Amount.parse(b.minValue, currencyCode))
    && a.releaseSchedule === b.releaseSchedule && a.maxWaitDays === b.maxWaitDays && a.paused === b.paused;
}

/** The policy fields an update mask may name, by their proto names (AIP-134). */
export const POLICY_FIELDS = {
  min_quantity: 'minQuantity',
  min_value: 'minValue',
  release_schedule: 'releaseSchedule',
  max_wait_days: 'maxWaitDays',
  paused: 'paused',
} as const satisfies Record<string, keyof PolicySettings>;

/** The policy after an update: the named fields from the request, the others kept; null fields = all of them. */
export function mergePolicy(current: PolicySettings, requested: PolicySettings, fields: (keyof PolicySettings)[] | null): PolicySettings {
  if (fields === null) return requested;
  const merged = { ...current };
  for (const field of fields) (merged as Record<keyof PolicySettings, unknown>)[field] = requested[field];
  return merged;
}

/**
 * Changes a supplier's release rules and records who, when, why and old → new. With fields, only those
 * change (an update mask); with null the request's policy replaces the whole policy. A min value in another
 * currency than the supplier's is INVALID_ARGUMENT. A new schedule or an unpause restarts the schedule from now.
 */
export function updateBufferPolicy(
  orm: Orm,
  clock: Clock,
  request: { supplierId: string; policy: PolicySettings; fields: (keyof PolicySettings)[] | null; minValueCurrency: string; updatedBy: string; reason: string },
): Promise<Supplier> {
  return transaction(orm, async (sql, em) => {
    const now = clock.now();
    const before = await lockSupplier(sql, request.supplierId);
    const { policy: requested, fields, minValueCurrency, ...audit } = request;
    const setsMinValue = fields === null || fields.includes('minValue');
    if (setsMinValue && !Amount.parse(requested.minValue, minValueCurrency).isZero() && minValueCurrency !== before.currencyCode) {
      throw invalidArgument([{ field: 'policy.min_value.currency_code', description: `must be the supplier currency ${before.currencyCode}` }]);
    }
    const policy = mergePolicy(before.policy, requested, fields);
    const restart = before.policy.releaseSchedule !== policy.releaseSchedule || (before.policy.paused && !policy.paused);
    const next = restart ? nextReleaseTime(policy.releaseSchedule, before.timeZone, now) : before.nextReleaseTime;
    await updateSupplierPolicy(em, request.supplierId, policy, next);
    await insertPolicyChange(em, { ...audit, oldPolicy: before.policy, newPolicy: policy, changeTime: now });
    return findSupplier(em, request.supplierId);
  });
}

/** A page of a supplier's policy changes, newest first. */
export async function listPolicyChanges(orm: Orm, supplierId: string, limit: number, pageToken: string): Promise<{ changes: PolicyChange[]; nextPageToken: string; currencyCode: string }> {
  const em = orm.em.fork();
  const { currencyCode } = await findSupplier(em, supplierId);
  const before = decodePageToken(pageToken, (p): p is number => Number.isSafeInteger(p));
  const rows = await findPolicyChanges(em, supplierId, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
  const page = rows.slice(0, limit);
  return {
    currencyCode,
    changes: page.map(({ id: _id, ...change }) => change),
    nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].id) : '',
  };
}
