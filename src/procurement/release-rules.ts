import type { Amount } from '../platform/money';

/** The rules that release a supplier's buffer, as planners set them; 0 turns a rule off. */
export interface BufferPolicy {
  minQuantity: number;
  /** Minimum buffered value, in the supplier's currency. */
  minValue: Amount;
  releaseSchedule: string;
  maxWaitDays: number;
  paused: boolean;
}

/** What is waiting in one supplier's buffer at the moment of evaluation. */
export interface BufferTotals {
  quantity: number;
  /** Sum of quantity × unit cost, in the supplier's currency. */
  value: Amount;
  oldestDemandTime: Date | null;
}

export type ReleaseTrigger = 'MIN_QUANTITY' | 'MIN_VALUE' | 'SCHEDULE' | 'MAX_WAIT' | 'MANUAL';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Which rule releases the buffer now, or null to keep buffering. An empty buffer is never released; a
 * paused one only by force (a planner's manual release). When several rules hold, the first of MANUAL,
 * MIN_QUANTITY, MIN_VALUE, MAX_WAIT, SCHEDULE is recorded. A value in another currency than the min value
 * is CURRENCY_MISMATCH.
 */
export function releaseTrigger(
  policy: BufferPolicy,
  buffer: BufferTotals,
  scheduledTime: Date,
  asOf: Date,
  force = false,
): ReleaseTrigger | null {
  if (buffer.quantity <= 0) return null;
  if (force) return 'MANUAL';
  if (policy.paused) return null;
  if (policy.minQuantity > 0 && buffer.quantity >= policy.minQuantity) return 'MIN_QUANTITY';
  if (!policy.minValue.isZero() && buffer.value.atLeast(policy.minValue)) return 'MIN_VALUE';
  if (policy.maxWaitDays > 0 && buffer.oldestDemandTime && asOf.getTime() - buffer.oldestDemandTime.getTime() >= policy.maxWaitDays * DAY_MS) {
    return 'MAX_WAIT';
  }
  if (scheduledTime.getTime() <= asOf.getTime()) return 'SCHEDULE';
  return null;
}

/** What a supplier sells us for a SKU, as far as the ordered quantity is concerned. */
export interface OrderingTerms {
  packSize: number;
  minOrderQuantity: number;
}

/**
 * The quantity to order for a demand: max(MOQ, demand rounded up to whole packs).
 * (An MOQ that is not a multiple of the pack size is ordered as is: the supplier set both.)
 */
export function orderQuantity(demand: number, terms: OrderingTerms): number {
  return Math.max(terms.minOrderQuantity, Math.ceil(demand / terms.packSize) * terms.packSize);
}
