import type { ScrapeMetrics } from '../platform/metrics';
import { sqlOf } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { waitingBackorders } from './order.repository';

/** Orders' gauges, read at each scrape: backordered lines and units waiting for stock. */
export function ordersGauges(deps: Pick<ServiceDeps, 'orm'>): (metrics: ScrapeMetrics) => void {
  return (metrics) => {
    const lines = metrics.gauge('restock_orders_backorder_lines_waiting', 'Placed order lines with backordered units waiting for stock.');
    const units = metrics.gauge('restock_orders_backorder_units_waiting', 'Backordered units waiting for stock, over all placed order lines.');
    metrics.onScrape('orders.backorders', async () => {
      const waiting = await waitingBackorders(sqlOf(deps.orm.em.fork()));
      return [
        { gauge: lines, value: waiting.lines },
        { gauge: units, value: waiting.units },
      ];
    });
  };
}
