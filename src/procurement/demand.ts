import { randomUUID } from 'node:crypto';
import type { Clock } from '../platform/clock';
import { notFound } from '../platform/errors';
import { once, onceEach } from '../platform/idempotency';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import {
  bufferDemands, cancelBufferedUnits, findUnassignedDemand, insertDemands, insertDemandCancellation, lockBufferedQuantity, lockDemand, quantityOnPurchaseOrders,
} from './demand.repository';
import { refreshEtas } from './eta-refresh';
import { shareSkuAssignments } from './supplier-product.repository';

export interface DemandRequest {
  demandId: string;
  sku: string;
  quantity: number;
  /** Set when a demand grows again (written-off units wait again): the key instead of the demand id. */
  requestId?: string;
}

/**
 * Buffers backordered units with the supplier serving the SKU, or unassigned when none sells it yet.
 * Once per demand id: a retry returns the first answer, a different quantity is ALREADY_EXISTS. With a request
 * id, once per request id, the units are added to the demand (made if new) and to its buffered part.
 */
export function recordDemand(orm: Orm, clock: Clock, demand: DemandRequest): Promise<{ supplierId: string }> {
  if (!demand.requestId) return recordDemands(orm, clock, [demand]).then(([recorded]) => recorded);
  const request = { demandId: demand.demandId, sku: demand.sku, quantity: demand.quantity };
  return transaction(orm, (sql) => once(sql, 'procurement', 'GrowDemand', demand.requestId!, request, async () => (await bufferArrivals(sql, clock, [demand], demand.requestId!))[0]));
}

/**
 * RecordDemand for several demands (distinct demand ids) in one transaction: their idempotency keys, rows and
 * buffered parts in a statement each, and one ETA refresh per SKU; each answers as recordDemand would. A demand
 * id used before with another quantity fails them all with ALREADY_EXISTS.
 */
export async function recordDemands(orm: Orm, clock: Clock, demands: DemandRequest[]): Promise<{ supplierId: string }[]> {
  // keys claimed in one order by every transaction: two replicas recording the same demands never deadlock
  const sorted = [...demands].sort((a, b) => (a.demandId < b.demandId ? -1 : a.demandId > b.demandId ? 1 : 0));
  const requests = sorted.map((d) => ({ key: d.demandId, request: { sku: d.sku, quantity: d.quantity } }));
  const demandOf = new Map(requests.map((r, i) => [r.request, sorted[i]]));
  const recorded = await transaction(orm, (sql) =>
    onceEach(sql, 'procurement', 'RecordDemand', requests, (fresh) => bufferArrivals(sql, clock, fresh.map((request) => demandOf.get(request)!), demandOf.get(fresh[0])!.demandId)),
  );
  return demands.map((d) => recorded[sorted.indexOf(d)]);
}

/** Records arrived demands and buffers them; Orders hears their SKUs' forecasts changed (eventId makes that message this arrival's). */
async function bufferArrivals(sql: Sql, clock: Clock, demands: DemandRequest[], eventId: string): Promise<{ supplierId: string }[]> {
  // Shared with other demand of the SKUs, exclusive against catalog changes that reassign it.
  await shareSkuAssignments(sql, demands.map((d) => d.sku));
  const now = clock.now();
  await insertDemands(sql, demands, now);
  const suppliers = await bufferDemands(sql, demands, now);
  await refreshEtas(sql, demands.map((d) => d.sku), `demand:${eventId}`);
  return demands.map((d) => ({ supplierId: suppliers.get(d.demandId) ?? '' }));
}

export interface CancelDemandRequest {
  /** Idempotency key; empty = not deduplicated (each call cancels again). */
  requestId: string;
  demandId: string;
  /** 0 = everything still buffered. */
  quantity: number;
}

/**
 * Takes up to `quantity` units of a demand out of its buffer; units already on a PO stay there and arrive
 * as surplus stock. Each cancellation is kept with its time, for SimulatePolicy's replay. NOT_FOUND for a demand not recorded yet (the sender's outbox retries). Once per request
 * id; without one, every call cancels again.
 */
export function cancelDemand(orm: Orm, clock: Clock, request: CancelDemandRequest): Promise<{ cancelledQuantity: number; onPurchaseOrderQuantity: number }> {
  return transaction(orm, (sql) => {
    const apply = () => takeOutOfBuffer(sql, request, clock.now());
    return request.requestId === '' ? apply() : once(sql, 'procurement', 'CancelDemand', request.requestId, { demandId: request.demandId, quantity: request.quantity }, apply);
  });
}

/** Takes the units out of the buffer and says how many of the rest are on a PO, in the caller's transaction. */
async function takeOutOfBuffer(sql: Sql, request: CancelDemandRequest, now: Date): Promise<{ cancelledQuantity: number; onPurchaseOrderQuantity: number }> {
  const demand = await lockDemand(sql, request.demandId);
  if (!demand) throw notFound('demand', request.demandId);
  const inBuffer = await lockBufferedQuantity(sql, request.demandId);
  const cancelled = request.quantity === 0 ? inBuffer : Math.min(request.quantity, inBuffer);
  if (cancelled > 0) {
    await cancelBufferedUnits(sql, request.demandId, cancelled);
    await refreshEtas(sql, [demand.sku], `cancel-demand:${request.requestId || randomUUID()}`);
  }
  await insertDemandCancellation(sql, { demandId: request.demandId, requestedQuantity: request.quantity, cancelledQuantity: cancelled, cancelTime: now });
  const onOrder = await quantityOnPurchaseOrders(sql, request.demandId);
  const onPurchaseOrderQuantity = request.quantity === 0 ? onOrder : Math.min(request.quantity - cancelled, onOrder);
  return { cancelledQuantity: cancelled, onPurchaseOrderQuantity };
}

/** Units of demand leaving a PO (cancelled or unconfirmed), back to the buffer of the SKU's supplier. */
export interface ReturnedDemand {
  demandId: string;
  sku: string;
  quantity: number;
  demandTime: Date;
}

/** Buffered demand of a SKU that waits for no supplier: none sells the SKU, or every one declined it. */
export interface UnassignedDemand {
  sku: string;
  quantity: number;
  oldestDemandTime: Date;
  /** Of quantity, the units every supplier of the SKU declined. */
  declinedQuantity: number;
}

/** A page of unassigned demand (no supplier sells the SKU, or every one declined it), per SKU, ordered by SKU. */
export async function listUnassignedDemand(orm: Orm, limit: number, pageToken: string): Promise<{ demands: UnassignedDemand[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, (p): p is string => typeof p === 'string');
  const rows = await findUnassignedDemand(sqlOf(orm.em), after ?? '', limit + 1);
  const page = rows.slice(0, limit);
  return { demands: page, nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].sku) : '' };
}
