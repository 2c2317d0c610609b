import { randomUUID } from 'node:crypto';
import type { Clock } from '../platform/clock';
import { notFound } from '../platform/errors';
import { once } from '../platform/idempotency';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { supplierOfSkuSql } from './supplier-product.repository';
import { refreshEtas } from './eta-refresh';

export interface DemandRequest {
  demandId: string;
  sku: string;
  quantity: number;
}

/**
 * Buffers backordered units with the supplier serving the SKU, or unassigned when none sells it yet.
 * Once per demand id: a retry returns the first answer, a different quantity is ALREADY_EXISTS.
 */
export function recordDemand(orm: Orm, clock: Clock, demand: DemandRequest): Promise<{ supplierId: string }> {
  return transaction(orm, (sql) =>
    once(sql, 'procurement', 'RecordDemand', demand.demandId, { sku: demand.sku, quantity: demand.quantity }, async () => {
      // Shared with other demand of the SKU, exclusive against catalog changes that reassign it.
      await sql('SELECT pg_advisory_xact_lock_shared(hashtext(?))', [`procurement.sku:${demand.sku}`]);
      const now = clock.now();
      await sql('INSERT INTO procurement.demand (demand_id, sku, quantity, demand_time) VALUES (?, ?, ?, ?)', [demand.demandId, demand.sku, demand.quantity, now]);
      const [buffered] = await sql<{ supplierId: string | null }>(
        `INSERT INTO procurement.buffered_demand (demand_id, sku, supplier_id, quantity, demand_time)
         SELECT ?, ?, ${supplierOfSkuSql('?')}, ?, ? RETURNING supplier_id AS "supplierId"`,
        [demand.demandId, demand.sku, demand.sku, demand.quantity, now],
      );
      await refreshEtas(sql, [demand.sku], `demand:${demand.demandId}`);
      return { supplierId: buffered.supplierId ?? '' };
    }),
  );
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
 * as surplus stock. NOT_FOUND for a demand not recorded yet (the sender's outbox retries). Once per request
 * id (contract item 2); without one, every call cancels again.
 */
export function cancelDemand(orm: Orm, request: CancelDemandRequest): Promise<{ cancelledQuantity: number; onPurchaseOrderQuantity: number }> {
  return transaction(orm, (sql) => {
    const apply = () => takeOutOfBuffer(sql, request);
    return request.requestId === '' ? apply() : once(sql, 'procurement', 'CancelDemand', request.requestId, { demandId: request.demandId, quantity: request.quantity }, apply);
  });
}

/** Takes the units out of the buffer and says how many of the rest are on a PO, in the caller's transaction. */
async function takeOutOfBuffer(sql: Sql, request: CancelDemandRequest): Promise<{ cancelledQuantity: number; onPurchaseOrderQuantity: number }> {
    const [demand] = await sql<{ sku: string }>('SELECT sku FROM procurement.demand WHERE demand_id = ? FOR UPDATE', [request.demandId]);
    if (!demand) throw notFound('demand', request.demandId);
    const [buffered] = await sql<{ quantity: number }>('SELECT quantity FROM procurement.buffered_demand WHERE demand_id = ? FOR UPDATE', [request.demandId]);
    const inBuffer = buffered?.quantity ?? 0;
    const cancelled = request.quantity === 0 ? inBuffer : Math.min(request.quantity, inBuffer);
    if (cancelled > 0) {
      await sql('DELETE FROM procurement.buffered_demand WHERE demand_id = ? AND quantity = ?', [request.demandId, cancelled]);
      await sql('UPDATE procurement.buffered_demand SET quantity = quantity - ? WHERE demand_id = ? AND quantity > ?', [cancelled, request.demandId, cancelled]);
      await sql('UPDATE procurement.demand SET cancelled_quantity = cancelled_quantity + ? WHERE demand_id = ?', [cancelled, request.demandId]);
      await refreshEtas(sql, [demand.sku], `cancel-demand:${request.requestId || randomUUID()}`);
    }
    const [{ onOrder }] = await sql<{ onOrder: number }>(
      'SELECT coalesce(sum(quantity), 0)::int AS "onOrder" FROM procurement.purchase_order_demand WHERE demand_id = ?',
      [request.demandId],
    );
    const onPurchaseOrderQuantity = request.quantity === 0 ? onOrder : Math.min(request.quantity - cancelled, onOrder);
    return { cancelledQuantity: cancelled, onPurchaseOrderQuantity };
}

/** Units of demand leaving a PO (cancelled or unconfirmed), back to the buffer of the SKU's supplier. */
export interface ReturnedDemand {
  demandId: string;
  sku: string;
  quantity: number;
  demandTime: Date | string;
}

/** Puts demand back into buffers in the caller's transaction, keeping its original demand time. */
export async function returnDemandToBuffer(sql: Sql, returned: ReturnedDemand[]): Promise<void> {
  if (returned.length === 0) return;
  await sql(
    `INSERT INTO procurement.buffered_demand (demand_id, sku, supplier_id, quantity, demand_time)
     SELECT r.demand_id, r.sku, ${supplierOfSkuSql('r.sku')}, r.quantity, r.demand_time
     FROM unnest(?::text[], ?::text[], ?::int[], ?::timestamptz[]) AS r(demand_id, sku, quantity, demand_time)
     ON CONFLICT (demand_id) DO UPDATE SET quantity = buffered_demand.quantity + excluded.quantity,
       demand_time = least(buffered_demand.demand_time, excluded.demand_time)`,
    [returned.map((r) => r.demandId), returned.map((r) => r.sku), returned.map((r) => r.quantity), returned.map((r) => new Date(r.demandTime))],
  );
}

export interface UnassignedDemand {
  sku: string;
  quantity: number;
  oldestDemandTime: Date;
}

/** A page of demand no supplier sells yet, per SKU, ordered by SKU. */
export async function listUnassignedDemand(orm: Orm, limit: number, pageToken: string): Promise<{ demands: UnassignedDemand[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, (p): p is string => typeof p === 'string');
  const rows = await sqlOf(orm.em)<{ sku: string; quantity: number; oldest: string }>(
    `SELECT sku, sum(quantity)::int AS quantity, min(demand_time) AS oldest FROM procurement.buffered_demand
     WHERE supplier_id IS NULL AND sku > ? GROUP BY sku ORDER BY sku LIMIT ?`,
    [after ?? '', limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    demands: page.map((r) => ({ sku: r.sku, quantity: r.quantity, oldestDemandTime: new Date(r.oldest) })),
    nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].sku) : '',
  };
}
