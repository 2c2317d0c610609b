import type { Clock } from '../platform/clock';
import { sqlOf, type Orm } from '../platform/orm';
import { findBufferedSupply } from './buffer.repository';
import { skuLeadTimes } from './lead-time-stats';
import { findOpenLines } from './purchase-order.repository';
import { overdueDelayDays, type Lateness } from './overdue';
import { supplierLateness } from './scorecard';
import { scheduledArrival, supplyForecast, type Arrival } from './supply-forecast';

/** GetSupplyForecast: a SKU's open PO lines and buffered demand as expected arrivals, in time order. */
export async function getSupplyForecast(orm: Orm, clock: Clock, sku: string): Promise<Arrival[]> {
  const sql = sqlOf(orm.em);
  const lines = await findOpenLines(sql, sku);
  const buffers = await findBufferedSupply(sql, sku);
  const leadTimes = await skuLeadTimes(sql, [...lines.map((l) => l.supplierId), ...buffers.map((b) => b.supplierId)], sku);
  const now = clock.now();
  const open = lines.map((line) => ({ ...line, leadTime: leadTimes.get(line.supplierId)! }));
  // Only the suppliers of lines past their date need their lateness measured.
  const late = open.filter((line) => scheduledArrival(line).expectedTime.getTime() < now.getTime()).map((line) => line.supplierId);
  const lateness = late.length > 0 ? await supplierLateness(sql, late) : new Map<string, Lateness>();
  return supplyForecast(
    open.map(({ supplierId, ...line }) => ({ ...line, overdueDelayDays: overdueDelayDays(lateness.get(supplierId)) })),
    buffers.map((b) => ({
      quantity: b.quantity,
      terms: { packSize: b.packSize, minOrderQuantity: b.minOrderQuantity },
      paused: b.paused,
      nextScheduledRelease: b.nextReleaseTime,
      oldestDemandTime: b.oldestDemandTime,
      maxWaitDays: b.maxWaitDays,
      leadTime: leadTimes.get(b.supplierId)!,
    })),
    now,
  );
}
