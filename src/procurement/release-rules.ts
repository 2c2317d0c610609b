import type { Amount } from '../platform/money';
import { nextReleaseTime } from './schedule';

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

/** One evaluation of a supplier's rules: what releases (null: nothing) and when the schedule fires next. */
export interface ReleaseDecision {
  trigger: ReleaseTrigger | null;
  /** The schedule's time after this evaluation: a due schedule moves on past asOf even when nothing is released. */
  scheduledTime: Date;
  /** True when the schedule was due and moved on. */
  scheduleMoved: boolean;
}

/**
 * Evaluates a supplier's rules at asOf, as a release does: the trigger (see releaseTrigger) and the schedule
 * moved on to its next time after asOf when it was due (never while paused; nextTime is nextReleaseTime of the
 * policy's schedule, which a replay may give as releaseTimesFrom). The release path, the preview and
 * the simulation all decide with this function.
 */
export function decideRelease(
  policy: BufferPolicy,
  timeZone: string,
  scheduledTime: Date,
  buffer: BufferTotals,
  asOf: Date,
  force = false,
  nextTime: (after: Date) => Date = (after) => nextReleaseTime(policy.releaseSchedule, timeZone, after),
): ReleaseDecision {
  const trigger = releaseTrigger(policy, buffer, scheduledTime, asOf, force);
  const scheduleMoved = !policy.paused && scheduledTime.getTime() <= asOf.getTime();
  return { trigger, scheduledTime: scheduleMoved ? nextTime(asOf) : scheduledTime, scheduleMoved };
}

/** The rule that will release a buffer next, or why none will. */
export type NextReleaseRule = Exclude<ReleaseTrigger, 'MANUAL'> | 'PAUSED' | 'EMPTY';

/**
 * When the rules release a buffer if nothing is added or taken, and by which rule, seen at asOf: asOf itself
 * when a rule already holds; else the earlier of the scheduled time and the moment the oldest demand reaches
 * the max wait (the rule then named by releaseTrigger at that time); null time for an empty or paused buffer.
 */
export function nextRelease(policy: BufferPolicy, buffer: BufferTotals, scheduledTime: Date, asOf: Date): { time: Date | null; rule: NextReleaseRule } {
  if (buffer.quantity <= 0) return { time: null, rule: 'EMPTY' };
  if (policy.paused) return { time: null, rule: 'PAUSED' };
  const now = releaseTrigger(policy, buffer, scheduledTime, asOf);
  if (now !== null) return { time: asOf, rule: now as NextReleaseRule };
  const maxWaitTime = maxWaitDeadline(policy, buffer);
  const time = maxWaitTime !== null && maxWaitTime.getTime() < scheduledTime.getTime() ? maxWaitTime : scheduledTime;
  return { time, rule: (releaseTrigger(policy, buffer, scheduledTime, time) ?? 'SCHEDULE') as NextReleaseRule };
}

/** When the oldest buffered demand reaches the max wait; null when the rule is off or the buffer empty. */
export function maxWaitDeadline(policy: BufferPolicy, buffer: BufferTotals): Date | null {
  if (policy.maxWaitDays <= 0 || !buffer.oldestDemandTime) return null;
  return new Date(buffer.oldestDemandTime.getTime() + policy.maxWaitDays * DAY_MS);
}

/** One SKU of buffered demand, as a release groups it. */
export interface DemandOfSku {
  sku: string;
  quantity: number;
}

/**
 * The lines of a released buffer: the demand summed per SKU, each line ordered at orderQuantity (MOQ, then
 * whole packs), in SKU order; SKUs without a product get no line. The release, the preview and the
 * simulation all round with this function.
 */
export function purchaseOrderLines<P extends OrderingTerms & { sku: string }>(demand: DemandOfSku[], products: P[]): (P & { demandedQuantity: number; quantity: number })[] {
  const perSku = new Map<string, number>();
  for (const d of demand) perSku.set(d.sku, (perSku.get(d.sku) ?? 0) + d.quantity);
  return products
    .filter((p) => perSku.has(p.sku))
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
    .map((p) => ({ ...p, demandedQuantity: perSku.get(p.sku)!, quantity: orderQuantity(perSku.get(p.sku)!, p) }));
}
