import type { Clock } from '../platform/clock';
import { transaction, type Orm } from '../platform/orm';
import { refreshEtas } from './eta-refresh';
import { findOverdueSkus } from './overdue.repository';
import type { PurchaseOrder } from './purchase-orders';

/**
 * True when a PO is overdue at `now`: its promised (else requested) time has passed and units are still to
 * come (its dueTime, from PURCHASE_ORDER_DUE_SQL, the one definition the list filter and the gauges share).
 */
export function isOverdue(order: Pick<PurchaseOrder, 'dueTime'>, now: Date): boolean {
  return order.dueTime !== null && order.dueTime.getTime() < now.getTime();
}

/** How late a supplier delivered: its received lines with a promise, and their average lateness in days. */
export interface Lateness {
  promisedLinesReceived: number;
  averageLatenessDays: number;
}

/** The fewest days ahead an overdue arrival is forecast, and the delay of a supplier with no history. */
export const MIN_OVERDUE_DELAY_DAYS = 1;

/**
 * How many days from now units past their date are forecast to arrive: the supplier's measured average lateness
 * (its scorecard: received lines with a promise, on time counting 0), and at least one day, which is also the
 * delay of a supplier that has no such line yet. At least a day because what is late now does not arrive this
 * instant, and the daily overdue task forecasts it again the next day if it still has not come.
 */
export function overdueDelayDays(lateness: Lateness | undefined): number {
  if (!lateness || lateness.promisedLinesReceived === 0) return MIN_OVERDUE_DELAY_DAYS;
  return Math.max(MIN_OVERDUE_DELAY_DAYS, lateness.averageLatenessDays);
}

/**
 * The daily overdue pass: Orders recomputes the ETAs of every SKU with units overdue on a PO (through the outbox,
 * once per SKU and day), so customers holding a date that passed get a new one and the slip email. Returns the SKUs.
 */
export function refreshOverdueEtas(orm: Orm, clock: Clock): Promise<string[]> {
  return transaction(orm, async (sql) => {
    const now = clock.now();
    const skus = await findOverdueSkus(sql, now);
    await refreshEtas(sql, skus, `overdue:${now.toISOString().slice(0, 10)}`);
    return skus;
  });
}
