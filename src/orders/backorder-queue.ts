import type { Backorder } from '../gen/restock/orders/v1/order';
import { EtaSource } from '../gen/restock/orders/v1/order';
import type { Duration } from '../gen/google/protobuf/duration';
import { sqlOf } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import type { ServiceDeps } from '../platform/service-module';
import { backorderQueuePage, backordersAcrossSkus, type BackorderFilter, type BackorderPosition, type WaitingBackorder } from './allocation.repository';
import { matchEtas, supplyForecast, toEta, type QueuedLine } from './etas';
import { skusServedBy } from './supplier-skus';

/** What ListBackorders asks for: one SKU ('' = every SKU), one supplier's SKUs ('' = any), a priority (0 = any), a minimum age. */
export interface BackorderQuery {
  sku: string;
  supplierId: string;
  priority: number;
  minAgeMs: number;
}

type Page = { backorders: Backorder[]; nextPageToken: string };

/**
 * Waiting lines, each with its age, its 1-based place in its SKU's allocation order and an ETA. Of one SKU:
 * in allocation order, ETAs matched live against Procurement's forecast (UNKNOWN when there is none). Across
 * SKUs: by SKU, then allocation order, with the ETAs Orders keeps (refreshed whenever a forecast changes).
 */
export async function listBackorders(deps: ServiceDeps, query: BackorderQuery, limit: number, pageToken: string): Promise<Page> {
  const now = deps.clock.now();
  const filter: BackorderFilter = { priority: query.priority || null, queuedBy: query.minAgeMs > 0 ? new Date(now.getTime() - query.minAgeMs) : null };
  const skus = query.supplierId === '' ? null : await skusServedBy(deps.peers, query.supplierId, query.sku);
  if (query.sku !== '') {
    if (skus !== null && !skus.includes(query.sku)) return { backorders: [], nextPageToken: '' };
    return queueOfSku(deps, query.sku, filter, now, limit, pageToken);
  }
  return queueAcrossSkus(deps, skus, filter, now, limit, pageToken);
}

const isQueuePosition = (p: unknown): p is number => Number.isSafeInteger(p) && (p as number) >= 0;

async function queueOfSku(deps: ServiceDeps, sku: string, filter: BackorderFilter, now: Date, limit: number, pageToken: string): Promise<Page> {
  const after = decodePageToken(pageToken, isQueuePosition) ?? 0;
  const [rows, arrivals] = await Promise.all([backorderQueuePage(sqlOf(deps.orm.em.fork()), sku, filter, after, limit + 1), supplyForecast(deps.peers, sku)]);
  const page = rows.slice(0, limit);
  // Lines left out by the filter still come first in the queue: they stand in as one unnamed line per gap.
  const queue: QueuedLine[] = [];
  let queued = 0;
  for (const row of page) {
    if (row.ahead > queued) queue.push({ lineId: '', waiting: row.ahead - queued });
    queue.push({ lineId: row.lineId, waiting: row.waiting });
    queued = row.ahead + row.waiting;
  }
  const etas = matchEtas(queue, arrivals);
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
      age: ageOf(r.queueTime, now),
    })),
    nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].position) : '',
  };
}

const isPosition = (p: unknown): p is BackorderPosition =>
  Array.isArray(p) && p.length === 4 && typeof p[0] === 'string' && Number.isSafeInteger(p[1]) && typeof p[2] === 'string'
  && !Number.isNaN(Date.parse(p[2])) && typeof p[3] === 'string';

async function queueAcrossSkus(deps: ServiceDeps, skus: string[] | null, filter: BackorderFilter, now: Date, limit: number, pageToken: string): Promise<Page> {
  const after = decodePageToken(pageToken, isPosition) ?? null;
  if (skus !== null && skus.length === 0) return { backorders: [], nextPageToken: '' };
  const rows = await backordersAcrossSkus(sqlOf(deps.orm.em.fork()), skus, filter, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    backorders: page.map((r) => toBackorder(r, now)),
    nextPageToken: rows.length > limit ? encodePageToken([last.sku, last.priority, last.queueKey, last.lineId]) : '',
  };
}

function toBackorder(r: WaitingBackorder, now: Date): Backorder {
  const known = r.etaSource !== null && r.etaSource !== EtaSource.ETA_SOURCE_UNKNOWN && r.etaExpected !== null;
  return {
    orderId: r.orderId,
    lineId: r.lineId,
    sku: r.sku,
    backorderedQuantity: r.waiting,
    priority: r.priority,
    createTime: r.queueTime,
    position: r.position,
    eta: known
      ? { expectedTime: r.etaExpected!, latestTime: r.etaLatest ?? r.etaExpected!, source: r.etaSource!, purchaseOrderId: r.etaPurchaseOrderId ?? '' }
      : toEta({ source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '' }),
    age: ageOf(r.queueTime, now),
  };
}

/** How long since `since`, as a Duration (zero when the clock is behind). */
function ageOf(since: Date, now: Date): Duration {
  const ms = Math.max(0, now.getTime() - since.getTime());
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
