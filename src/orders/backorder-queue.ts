import type { Backorder } from '../gen/restock/orders/v1/order';
import { sqlOf } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import type { ServiceDeps } from '../platform/service-module';
import { backorderQueuePage } from './allocation.repository';
import { matchEtas, supplyForecast, toEta } from './etas';

const isPosition = (p: unknown): p is number => Number.isSafeInteger(p) && (p as number) >= 0;

/**
 * A SKU's waiting lines in allocation order with their 1-based queue position and an ETA matched live
 * against Procurement's forecast (UNKNOWN when there is none).
 */
export async function listBackorders(deps: ServiceDeps, sku: string, limit: number, pageToken: string): Promise<{ backorders: Backorder[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, isPosition) ?? 0;
  const [rows, arrivals] = await Promise.all([
    backorderQueuePage(sqlOf(deps.orm.em.fork()), sku, after, limit + 1),
    supplyForecast(deps.peers, sku),
  ]);
  const page = rows.slice(0, limit);
  const ahead = page[0]?.ahead ?? 0;
  const etas = matchEtas([{ lineId: '', waiting: ahead }, ...page.map((r) => ({ lineId: r.lineId, waiting: r.waiting }))], arrivals);
  return {
    backorders: page.map((r) => ({
      orderId: r.orderId,
      lineId: r.lineId,
      sku,
      backorderedQuantity: r.waiting,
      priority: r.priority,
      createTime: r.queueTime,
      position: r.position,
      eta: toEta(etas.get(r.lineId)!),
    })),
    nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].position) : '',
  };
}
