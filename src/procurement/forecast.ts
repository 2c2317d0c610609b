import { groupBy } from '../platform/collections';
import type { Clock } from '../platform/clock';
import { Amount } from '../platform/money';
import { sqlOf, type Orm } from '../platform/orm';
import { findBufferedSupply, findServingSupply, type ServingSupplyRow } from './buffer.repository';
import { skuLeadTimes } from './lead-time-stats';
import type { LeadTimeStats } from './lead-times';
import { findOpenLines } from './purchase-order.repository';
import { overdueDelayDays, type Lateness } from './overdue';
import { supplierLateness } from './scorecard';
import { quotedArrival, scheduledArrival, supplyForecast, type Arrival, type BufferedSupply } from './supply-forecast';

/** Units of a SKU that would be demanded now (0: none). */
export interface SupplyDemand {
  sku: string;
  quantity: number;
}

/** A SKU's forecast with quoted demand added, and when that demand itself would arrive. */
export interface SupplyQuote {
  sku: string;
  arrivals: Arrival[];
  /** Null when no supplier sells the SKU, its buffer is paused, or nothing was quoted. */
  demandArrival: Arrival | null;
  /** '' when no supplier sells the SKU. */
  supplierId: string;
}

/** GetSupplyForecast: a SKU's open PO lines and buffered demand as expected arrivals, in time order. */
export async function getSupplyForecast(orm: Orm, clock: Clock, sku: string): Promise<Arrival[]> {
  const [quote] = await quoteSupply(orm, clock, [{ sku, quantity: 0 }]);
  return quote.arrivals;
}

/**
 * QuoteSupply: each SKU's forecast as if its quantity were demanded now, in five statements whatever the
 * number of SKUs (a sixth measures the lateness of suppliers whose open lines are past their date). The quoted units join the serving supplier's buffer of the SKU: that buffer arrives as
 * quotedArrival says (the release rules with the demand counted), every other arrival as GetSupplyForecast
 * has it, so a quote agrees with the forecast once the demand is recorded.
 */
export async function quoteSupply(orm: Orm, clock: Clock, demands: SupplyDemand[]): Promise<SupplyQuote[]> {
  const now = clock.now();
  const sql = sqlOf(orm.em.fork());
  const skus = demands.map((d) => d.sku);
  const lines = await findOpenLines(sql, skus);
  const buffers = await findBufferedSupply(sql, skus);
  const serving = await findServingSupply(sql, skus);
  const leadTime = await skuLeadTimes(sql, [...lines, ...buffers, ...serving].map((r) => r.supplierId), skus);
  const servingOf = new Map(serving.map((row) => [row.sku, row]));
  // Only the suppliers of lines past their date need their lateness measured (an overdue line is expected after it).
  const late = lines.filter((line) => scheduledArrival({ ...line, leadTime: leadTime(line.supplierId, line.sku) }).expectedTime.getTime() < now.getTime());
  const lateness = late.length > 0 ? await supplierLateness(sql, [...new Set(late.map((line) => line.supplierId))]) : new Map<string, Lateness>();
  const linesOf = groupBy(lines, (l) => l.sku);
  const buffersOf = groupBy(buffers, (b) => b.sku);
  return demands.map(({ sku, quantity }) => {
    const server = servingOf.get(sku);
    const ownBuffers = buffersOf.get(sku) ?? [];
    const skuBuffered = ownBuffers.find((b) => b.supplierId === server?.supplierId)?.quantity ?? 0;
    const quoted = quantity > 0 && server ? quotedDemandArrival(server, quantity, skuBuffered, leadTime(server.supplierId, sku), now) : null;
    // The serving supplier's buffer arrives as the quote says; the others as they are.
    const skuBuffers = ownBuffers.filter((b) => !(quoted && b.supplierId === server!.supplierId));
    const arrivals = supplyForecast(
      (linesOf.get(sku) ?? []).map(({ supplierId, ...line }) => ({ ...line, leadTime: leadTime(supplierId, sku), overdueDelayDays: overdueDelayDays(lateness.get(supplierId)) })),
      skuBuffers.map((b): BufferedSupply => ({
        quantity: b.quantity,
        terms: { packSize: b.packSize, minOrderQuantity: b.minOrderQuantity },
        paused: b.paused,
        nextScheduledRelease: b.nextReleaseTime,
        oldestDemandTime: b.oldestDemandTime,
        maxWaitDays: b.maxWaitDays,
        leadTime: leadTime(b.supplierId, sku),
      })),
      now,
      quoted ? [quoted] : [],
    );
    return { sku, arrivals, demandArrival: quoted, supplierId: server?.supplierId ?? '' };
  });
}

function quotedDemandArrival(server: ServingSupplyRow, quantity: number, skuBuffered: number, leadTime: LeadTimeStats, now: Date): Arrival | null {
  const currency = server.currencyCode;
  return quotedArrival(
    {
      quantity,
      value: Amount.parse(server.unitCost, currency).times(quantity),
      policy: { minQuantity: server.minQuantity, minValue: Amount.parse(server.minValue, currency), releaseSchedule: server.releaseSchedule, maxWaitDays: server.maxWaitDays, paused: server.paused },
      scheduledTime: server.nextReleaseTime,
      totals: { quantity: server.bufferedQuantity, value: Amount.parse(server.bufferedValue, currency), oldestDemandTime: server.oldestDemandTime },
      skuBuffered,
      terms: { packSize: server.packSize, minOrderQuantity: server.minOrderQuantity },
      leadTime,
    },
    now,
  );
}
