import { sqlOf, type Orm } from '../platform/orm';
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
  const sql = sqlOf(em);
  const supplier = await findSupplier(em, supplierId);
  const rows = await sql<{ sku: string; quantity: number; value: string; oldest: string }>(
    `SELECT b.sku, sum(b.quantity)::int AS quantity, (sum(b.quantity) * sp.unit_cost)::text AS value, min(b.demand_time) AS oldest
     FROM procurement.buffered_demand b JOIN procurement.supplier_product sp ON sp.supplier_id = b.supplier_id AND sp.sku = b.sku
     WHERE b.supplier_id = ? GROUP BY b.sku, sp.unit_cost ORDER BY b.sku`,
    [supplierId],
  );
  const lines = rows.map((r) => ({ sku: r.sku, quantity: r.quantity, value: r.value, oldestDemandTime: new Date(r.oldest) }));
  const totalNanos = lines.reduce((sum, l) => sum + toNanos(l.value), 0n);
  return {
    supplier,
    lines,
    totalQuantity: lines.reduce((sum, l) => sum + l.quantity, 0),
    totalValue: `${totalNanos / 1_000_000_000n}.${(totalNanos % 1_000_000_000n).toString().padStart(9, '0')}`,
    nextReleaseTime: supplier.policy.paused ? null : supplier.nextReleaseTime,
  };
}

interface Candidate {
  supplierId: string;
  minQuantity: number;
  minValue: string;
  maxWaitDays: number;
  paused: boolean;
  nextReleaseTime: string;
  quantity: number;
  value: string;
  oldest: string | null;
}

/**
 * Finds, with one aggregate query over all buffers, the suppliers whose release rules fire as of asOf (or
 * whose schedule is due, to move it on), then releases them in batches: one transaction per batch, one PO
 * per supplier. Returns the ids of the POs created. The scheduler tick, demand arrival and the
 * EvaluateBuffers RPC all run this.
 */
export async function evaluateBuffers(orm: Orm, options: { asOf: Date; supplierId?: string; force?: boolean }): Promise<string[]> {
  const { asOf, supplierId = '', force = false } = options;
  const candidates = await sqlOf(orm.em)<Candidate>(
    `SELECT s.supplier_id AS "supplierId", s.min_quantity AS "minQuantity", s.min_value::text AS "minValue",
       s.max_wait_days AS "maxWaitDays", s.paused, s.next_release_time AS "nextReleaseTime",
       coalesce(b.quantity, 0)::int AS quantity, coalesce(b.value, 0)::text AS value, b.oldest
     FROM procurement.supplier s
     LEFT JOIN (
       SELECT bd.supplier_id, sum(bd.quantity) AS quantity, sum(bd.quantity * sp.unit_cost) AS value, min(bd.demand_time) AS oldest
       FROM procurement.buffered_demand bd
       JOIN procurement.supplier_product sp ON sp.supplier_id = bd.supplier_id AND sp.sku = bd.sku
       WHERE bd.supplier_id IS NOT NULL AND (? = '' OR bd.supplier_id = ?)
       GROUP BY bd.supplier_id
     ) b ON b.supplier_id = s.supplier_id
     WHERE (b.supplier_id IS NOT NULL OR (NOT s.paused AND s.next_release_time <= ?)) AND (? = '' OR s.supplier_id = ?)
     ORDER BY s.supplier_id`,
    [supplierId, supplierId, asOf, supplierId, supplierId],
  );
  const due = candidates.filter((c) => {
    const scheduled = new Date(c.nextReleaseTime);
    const rules = { minQuantity: c.minQuantity, minValueNanos: toNanos(c.minValue), releaseSchedule: '', maxWaitDays: c.maxWaitDays, paused: c.paused };
    const totals = { quantity: c.quantity, valueNanos: toNanos(c.value), oldestDemandTime: c.oldest ? new Date(c.oldest) : null };
    return releaseTrigger(rules, totals, scheduled, asOf, force) !== null || (!c.paused && scheduled.getTime() <= asOf.getTime());
  });
  const created: string[] = [];
  for (let i = 0; i < due.length; i += RELEASE_BATCH) {
    const batch = due.slice(i, i + RELEASE_BATCH).map((c) => c.supplierId);
    created.push(...(await releaseBuffers(orm, batch, asOf, force)));
  }
  return created;
}

