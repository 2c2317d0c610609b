import type { Clock } from '../platform/clock';
import { failedPrecondition } from '../platform/errors';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { transaction, type Orm } from '../platform/orm';
import { samePolicy, type PolicySettings } from './buffer-policy';
import { DEFAULT_RELEASE_SCHEDULE, nextReleaseTime } from './schedule';
import { countSupplierProducts } from './supplier-product.repository';
import { findSupplier, findSupplierForReplace, findSuppliers, insertPolicyChange, saveSupplier } from './supplier.repository';

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

const DEFAULT_POLICY: PolicySettings = { minQuantity: 0, minValue: '0', releaseSchedule: DEFAULT_RELEASE_SCHEDULE, maxWaitDays: 0, paused: false };

/** Returns one supplier. */
export function getSupplier(orm: Orm, supplierId: string): Promise<Supplier> {
  return findSupplier(orm.em.fork(), supplierId);
}

/** A page of suppliers ordered by id. */
export async function listSuppliers(orm: Orm, limit: number, pageToken: string): Promise<{ suppliers: Supplier[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, (p): p is string => typeof p === 'string');
  const rows = await findSuppliers(orm.em.fork(), after ?? '', limit + 1);
  const page = rows.slice(0, limit);
  return { suppliers: page, nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].supplierId) : '' };
}

/**
 * Creates or replaces a supplier. Without a policy an existing supplier keeps its own; a changed policy is
 * recorded in the audit trail like any other policy change. The currency cannot change while the supplier
 * has products priced in the old one. A new schedule, time zone or pause state restarts the schedule from now.
 */
export function upsertSupplier(orm: Orm, clock: Clock, fields: SupplierFields): Promise<Supplier> {
  return transaction(orm, async (_sql, em) => {
    const now = clock.now();
    const before = await findSupplierForReplace(em, fields.supplierId);
    if (before && before.currencyCode !== fields.currencyCode && (await countSupplierProducts(em, fields.supplierId)) > 0) {
      throw failedPrecondition('SUPPLIER_CURRENCY_CHANGE', `supplier ${fields.supplierId} has products priced in ${before.currencyCode}`, { supplier_id: fields.supplierId });
    }
    const policy = fields.policy ?? before?.policy ?? DEFAULT_POLICY;
    const scheduleKept = before !== undefined && before.policy.releaseSchedule === policy.releaseSchedule && before.timeZone === fields.timeZone
      && before.policy.paused === policy.paused;
    const next = scheduleKept ? before.nextReleaseTime : nextReleaseTime(policy.releaseSchedule, fields.timeZone, now);
    const saved = await saveSupplier(em, { ...fields, policy, nextReleaseTime: next });
    if (before && !samePolicy(before.policy, policy, fields.currencyCode)) {
      await insertPolicyChange(em, { supplierId: fields.supplierId, updatedBy: 'UpsertSupplier', reason: 'supplier replaced', oldPolicy: before.policy, newPolicy: policy, changeTime: now });
    }
    return saved;
  });
}
