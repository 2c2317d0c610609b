import type { Clock } from '../platform/clock';
import type { Sample, ScrapeMetrics } from '../platform/metrics';
import { Amount } from '../platform/money';
import { sqlOf, type Orm } from '../platform/orm';
import { bufferedByCurrency } from './buffer.repository';
import { openPurchaseOrderFigures } from './purchase-order.repository';

const OPEN_STATUSES = ['ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED'];

/** Procurement's gauges, read at each scrape: buffered units and value, open POs by status, overdue POs. */
export function procurementGauges(orm: Orm, clock: Clock): (metrics: ScrapeMetrics) => void {
  return (metrics) => {
    const units = metrics.gauge('restock_procurement_buffered_units', 'Backordered units buffered, not yet on a purchase order (including units no supplier sells yet).');
    const value = metrics.gauge('restock_procurement_buffered_value', 'Value of the buffered units at their supplier’s unit cost, in units of the currency (label currency).', ['currency']);
    const open = metrics.gauge('restock_procurement_open_purchase_orders', 'Purchase orders not yet received in full nor cancelled, by status.', ['status']);
    const overdue = metrics.gauge('restock_procurement_overdue_purchase_orders', 'Open purchase orders with units still to come whose promised (else requested) delivery time has passed.');
    const overdueUnits = metrics.gauge('restock_procurement_overdue_units', 'Units still to come on overdue purchase orders.');
    metrics.onScrape('procurement.buffers', async () => {
      const rows = await bufferedByCurrency(sqlOf(orm.em.fork()));
      const samples: Sample[] = [{ gauge: units, value: rows.reduce((total, row) => total + row.quantity, 0) }];
      for (const row of rows) {
        if (row.currencyCode !== null && row.value !== null) samples.push({ gauge: value, labels: { currency: row.currencyCode }, value: Number(Amount.parse(row.value, row.currencyCode).toDecimal()) });
      }
      return samples;
    });
    metrics.onScrape('procurement.purchase-orders', async () => {
      const rows = await openPurchaseOrderFigures(sqlOf(orm.em.fork()), clock.now());
      const of = new Map(rows.map((row) => [row.status, row]));
      return [
        ...OPEN_STATUSES.map((status) => ({ gauge: open, labels: { status: status.toLowerCase() }, value: of.get(status)?.open ?? 0 })),
        { gauge: overdue, value: rows.reduce((total, row) => total + row.overdue, 0) },
        { gauge: overdueUnits, value: rows.reduce((total, row) => total + row.overdueUnits, 0) },
      ];
    });
  };
}
