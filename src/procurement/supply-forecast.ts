import type { Amount } from '../platform/money';
import { addDays, type LeadTimeStats } from './lead-times';
import { nextRelease, orderQuantity, type BufferPolicy, type BufferTotals, type OrderingTerms } from './release-rules';

/** Arrival is expected supply of a SKU: from an open PO, or from a buffer once it is released. */
export interface Arrival {
  expectedTime: Date;
  latestTime: Date;
  quantity: number;
  source: 'PURCHASE_ORDER' | 'BUFFER';
  purchaseOrderId: string;
}

/** What is still to come on an open PO line. */
export interface OpenLine {
  purchaseOrderId: string;
  remaining: number;
  createTime: Date;
  sendTime: Date | null;
  promisedTime: Date | null;
  leadTime: LeadTimeStats;
  /** Days from now it is expected once its date has passed (overdueDelayDays of its supplier). */
  overdueDelayDays: number;
}

/** When an open line is due by its promise once confirmed, else by send (or create) time plus the expected lead time (the latest by the conservative one). */
export function scheduledArrival(line: Pick<OpenLine, 'createTime' | 'sendTime' | 'promisedTime' | 'leadTime'>): { expectedTime: Date; latestTime: Date } {
  const base = line.sendTime ?? line.createTime;
  return {
    expectedTime: line.promisedTime ?? addDays(base, line.leadTime.expectedDays),
    latestTime: line.promisedTime ?? addDays(base, line.leadTime.latestDays),
  };
}

/** A SKU's buffered demand at one supplier, with what decides when it is released. */
export interface BufferedSupply {
  quantity: number;
  terms: OrderingTerms;
  paused: boolean;
  nextScheduledRelease: Date;
  oldestDemandTime: Date;
  maxWaitDays: number;
  leadTime: LeadTimeStats;
}

/** When a buffer will be released at the latest: its next schedule or its max wait, never before now. */
export function expectedRelease(buffer: BufferedSupply, now: Date): Date {
  const byWait = buffer.maxWaitDays > 0 ? addDays(buffer.oldestDemandTime, buffer.maxWaitDays) : buffer.nextScheduledRelease;
  const release = Math.min(buffer.nextScheduledRelease.getTime(), byWait.getTime());
  return new Date(Math.max(release, now.getTime()));
}

/** How far an overdue line's forecast moves at a time: a week, so a customer hears of an overdue PO's slip once a week, not daily. */
export const OVERDUE_STEP_DAYS = 7;

/**
 * When a line past its date (due) is forecast: whole weeks after its date, the first such day not before
 * `earliest` (now plus its supplier's overdue delay). While the PO stays overdue the forecast holds for a week
 * and then moves a week on, so the daily overdue pass re-dates customers (and sends the slip email) weekly.
 */
export function overdueArrival(due: Date, earliest: Date): Date {
  const steps = Math.max(1, Math.ceil((earliest.getTime() - due.getTime()) / (OVERDUE_STEP_DAYS * 86_400_000)));
  return addDays(due, steps * OVERDUE_STEP_DAYS);
}

/**
 * The SKU's expected arrivals in time order. An open PO line arrives at its promised time once confirmed,
 * else at send (or create) time plus the expected lead time, the latest by the conservative lead time. A line
 * whose date has passed with units still to come (an overdue PO's) is never forecast in the past: it is
 * expected whole weeks after its date, the first such day at least its supplier's overdue delay (measured
 * lateness, at least a day) from now (overdueArrival), its latest no earlier.
 * A buffer arrives the lead time after its release, as the rounded quantity it will be ordered in; a
 * paused buffer has no release date, so it is left out rather than given an invented one.
 */
export function supplyForecast(lines: OpenLine[], buffers: BufferedSupply[], now: Date, quoted: Arrival[] = []): Arrival[] {
  const arrivals: Arrival[] = lines.map((line) => {
    let { expectedTime, latestTime } = scheduledArrival(line);
    if (expectedTime.getTime() < now.getTime()) {
      expectedTime = overdueArrival(expectedTime, addDays(now, line.overdueDelayDays));
      latestTime = new Date(Math.max(latestTime.getTime(), expectedTime.getTime()));
    }
    return {
      expectedTime,
      latestTime,
      quantity: line.remaining,
      source: 'PURCHASE_ORDER',
      purchaseOrderId: line.purchaseOrderId,
    };
  });
  for (const buffer of buffers.filter((b) => !b.paused && b.quantity > 0)) {
    const release = expectedRelease(buffer, now);
    arrivals.push({
      expectedTime: addDays(release, buffer.leadTime.expectedDays),
      latestTime: addDays(release, buffer.leadTime.latestDays),
      quantity: orderQuantity(buffer.quantity, buffer.terms),
      source: 'BUFFER',
      purchaseOrderId: '',
    });
  }
  arrivals.push(...quoted);
  return arrivals.sort((a, b) => a.expectedTime.getTime() - b.expectedTime.getTime() || a.purchaseOrderId.localeCompare(b.purchaseOrderId));
}

/** Demand quoted for a SKU at the supplier serving it, with what decides when that supplier's buffer is released. */
export interface QuotedDemand {
  quantity: number;
  /** The quoted units at the SKU's unit cost, in the supplier's currency. */
  value: Amount;
  policy: BufferPolicy;
  scheduledTime: Date;
  /** The supplier's whole buffer before the quoted demand. */
  totals: BufferTotals;
  /** The SKU's units already in that buffer. */
  skuBuffered: number;
  terms: OrderingTerms;
  leadTime: LeadTimeStats;
}

/**
 * When quoted demand would arrive if it joined its supplier's buffer now: the buffer's next release under
 * the rules with the demand counted (nextRelease: now when it reaches the min quantity or min value, else
 * the earlier of the schedule and the max wait), plus the lead time; the SKU's whole buffered quantity,
 * rounded as it will be ordered. Null while the buffer is paused (it has no release date).
 */
export function quotedArrival(demand: QuotedDemand, now: Date): Arrival | null {
  const { totals } = demand;
  const oldest = totals.oldestDemandTime && totals.oldestDemandTime.getTime() < now.getTime() ? totals.oldestDemandTime : now;
  const after: BufferTotals = { quantity: totals.quantity + demand.quantity, value: totals.value.plus(demand.value), oldestDemandTime: oldest };
  const release = nextRelease(demand.policy, after, demand.scheduledTime, now).time;
  if (release === null) return null;
  return {
    expectedTime: addDays(release, demand.leadTime.expectedDays),
    latestTime: addDays(release, demand.leadTime.latestDays),
    quantity: orderQuantity(demand.skuBuffered + demand.quantity, demand.terms),
    source: 'BUFFER',
    purchaseOrderId: '',
  };
}
