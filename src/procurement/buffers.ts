import { Amount } from '../platform/money';
import { sqlOf, type Orm } from '../platform/orm';
import { findBufferLines, findReleaseCandidates, type Candidate } from './buffer.repository';
import { releaseBuffers } from './release';
import { releaseTrigger } from './release-rules';
import { findSupplier } from './supplier.repository';
import type { Supplier } from './suppliers';

/** Buffers are released this many suppliers per transaction, keeping each transaction short. */
const RELEASE_BATCH = 100;

export interface BufferLine {
  sku: string;
  quantity: number;
  value: Amount;
  oldestDemandTime: Date;
}

/** A supplier's buffered demand per SKU, its totals and when the schedule releases it next. */
export interface SupplierBuffer {
  supplier: Supplier;
  lines: BufferLine[];
  totalQuantity: number;
  totalValue: Amount;
  /** Null while paused. */
  nextReleaseTime: Date | null;
}

/** Returns a supplier's buffer. */
export async function getBuffer(orm: Orm, supplierId: string): Promise<SupplierBuffer> {
  const em = orm.em.fork();
  const supplier = await findSupplier(em, supplierId);
  const rows = await findBufferLines(sqlOf(em), supplierId);
  const lines = rows.map((row) => ({ ...row, value: Amount.parse(row.value, supplier.currencyCode) }));
  return {
    supplier,
    lines,
    totalQuantity: lines.reduce((sum, l) => sum + l.quantity, 0),
    totalValue: lines.reduce((total, l) => total.plus(l.value), Amount.zero(supplier.currencyCode)),
    nextReleaseTime: supplier.policy.paused ? null : supplier.nextReleaseTime,
  };
}

/** The candidates whose rules fire as of asOf, or whose schedule is due (to move it on): the ones a release pass locks. */
export function dueCandidates(candidates: Candidate[], asOf: Date, force: boolean): Candidate[] {
  return candidates.filter((c) => {
    const scheduled = c.nextReleaseTime;
    const rules = { minQuantity: c.minQuantity, minValue: Amount.parse(c.minValue, c.currencyCode), releaseSchedule: '', maxWaitDays: c.maxWaitDays, paused: c.paused };
    const totals = { quantity: c.quantity, value: Amount.parse(c.value, c.currencyCode), oldestDemandTime: c.oldestDemandTime };
    return releaseTrigger(rules, totals, scheduled, asOf, force) !== null || (!c.paused && scheduled.getTime() <= asOf.getTime());
  });
}

/**
 * Finds, with one aggregate query over all buffers, the suppliers whose release rules fire as of asOf (or
 * whose schedule is due, to move it on), then releases them in batches: one transaction per batch, one PO
 * per supplier. Returns the ids of the POs created. The scheduler tick, demand arrival and the
 * EvaluateBuffers RPC all run this; releasedBy names who asked for a manual release and releaseReason why (kept
 * on its POs).
 */
export async function evaluateBuffers(
  orm: Orm,
  options: { asOf: Date; supplierId?: string; force?: boolean; releasedBy?: string; releaseReason?: string },
): Promise<string[]> {
  const { asOf, supplierId = '', force = false, releasedBy, releaseReason } = options;
  const due = dueCandidates(await findReleaseCandidates(sqlOf(orm.em), supplierId, asOf), asOf, force);
  const created: string[] = [];
  for (let i = 0; i < due.length; i += RELEASE_BATCH) {
    const batch = due.slice(i, i + RELEASE_BATCH).map((c) => c.supplierId);
    created.push(...(await releaseBuffers(orm, batch, asOf, force, releasedBy, releaseReason)));
  }
  return created;
}
