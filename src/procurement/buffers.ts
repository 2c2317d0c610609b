import { sqlOf, type Orm } from '../platform/orm';
import { findBufferLines, findReleaseCandidates } from './buffer.repository';
import { releaseBuffers, toNanos } from './release';
import { releaseTrigger } from './release-rules';
import { findSupplier } from './supplier.repository';
import type { Supplier } from './suppliers';

/** Buffers are released this many suppliers per transaction, keeping each transaction short. */
const RELEASE_BATCH = 100;

export interface BufferLine {
  sku: string;
  quantity: number;
  value: string;
  oldestDemandTime: Date;
}

/** A supplier's buffered demand per SKU, its totals and when the schedule releases it next. */
export interface SupplierBuffer {
  supplier: Supplier;
  lines: BufferLine[];
  totalQuantity: number;
  totalValue: string;
  /** Null while paused. */
  nextReleaseTime: Date | null;
}

/** Returns a supplier's buffer. */
export async function getBuffer(orm: Orm, supplierId: string): Promise<SupplierBuffer> {
  const em = orm.em.fork();
  const supplier = await findSupplier(em, supplierId);
  const lines = await findBufferLines(sqlOf(em), supplierId);
  const totalNanos = lines.reduce((sum, l) => sum + toNanos(l.value), 0n);
  return {
    supplier,
    lines,
    totalQuantity: lines.reduce((sum, l) => sum + l.quantity, 0),
    totalValue: `${totalNanos / 1_000_000_000n}.${(totalNanos % 1_000_000_000n).toString().padStart(9, '0')}`,
    nextReleaseTime: supplier.policy.paused ? null : supplier.nextReleaseTime,
  };
}

/**
 * Finds, with one aggregate query over all buffers, the suppliers whose release rules fire as of asOf (or
 * whose schedule is due, to move it on), then releases them in batches: one transaction per batch, one PO
 * per supplier. Returns the ids of the POs created. The scheduler tick, demand arrival and the
 * EvaluateBuffers RPC all run this.
 */
export async function evaluateBuffers(orm: Orm, options: { asOf: Date; supplierId?: string; force?: boolean }): Promise<string[]> {
  const { asOf, supplierId = '', force = false } = options;
  const candidates = await findReleaseCandidates(sqlOf(orm.em), supplierId, asOf);
  const due = candidates.filter((c) => {
    const scheduled = c.nextReleaseTime;
    const rules = { minQuantity: c.minQuantity, minValueNanos: toNanos(c.minValue), releaseSchedule: '', maxWaitDays: c.maxWaitDays, paused: c.paused };
    const totals = { quantity: c.quantity, valueNanos: toNanos(c.value), oldestDemandTime: c.oldestDemandTime };
    return releaseTrigger(rules, totals, scheduled, asOf, force) !== null || (!c.paused && scheduled.getTime() <= asOf.getTime());
  });
  const created: string[] = [];
  for (let i = 0; i < due.length; i += RELEASE_BATCH) {
    const batch = due.slice(i, i + RELEASE_BATCH).map((c) => c.supplierId);
    created.push(...(await releaseBuffers(orm, batch, asOf, force)));
  }
  return created;
}
