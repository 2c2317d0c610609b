import type { Sql } from '../platform/orm';
import type { DemandRequest, ReturnedDemand, UnassignedDemand } from './demand';
import { alternateSupplierSql, declinedSql, supplierOfDemandSql } from './alternates.repository';
import { supplierOfSkuSql } from './supplier-product.repository';

/** Records demands (distinct ids) as they arrived; units of a demand already recorded (one growing again) are added to it. */
export async function insertDemands(sql: Sql, demands: DemandRequest[], demandTime: Date): Promise<void> {
  await sql(
    `INSERT INTO procurement.demand (demand_id, sku, quantity, demand_time)
     SELECT d.demand_id, d.sku, d.quantity, ? FROM unnest(?::text[], ?::text[], ?::int[]) AS d(demand_id, sku, quantity)
     ON CONFLICT (demand_id) DO UPDATE SET quantity = demand.quantity + excluded.quantity, demand_time = least(demand.demand_time, excluded.demand_time)`,
    [demandTime, ...demandColumns(demands)],
  );
}

/**
 * Buffers demands (distinct ids) with the supplier serving each one's SKU (added to its buffered part, which
 * keeps its time); returns each demand's supplier, null when nobody sells the SKU yet.
 */
export async function bufferDemands(sql: Sql, demands: DemandRequest[], demandTime: Date): Promise<Map<string, string | null>> {
  const buffered = await sql<{ demandId: string; supplierId: string | null }>(
    `INSERT INTO procurement.buffered_demand (demand_id, sku, supplier_id, quantity, demand_time)
     SELECT d.demand_id, d.sku, ${supplierOfSkuSql('d.sku')}, d.quantity, ? FROM unnest(?::text[], ?::text[], ?::int[]) AS d(demand_id, sku, quantity)
     ON CONFLICT (demand_id) DO UPDATE SET quantity = buffered_demand.quantity + excluded.quantity,
       demand_time = least(buffered_demand.demand_time, excluded.demand_time)
     RETURNING demand_id, supplier_id`,
    [demandTime, ...demandColumns(demands)],
  );
  return new Map(buffered.map((b) => [b.demandId, b.supplierId]));
}

const demandColumns = (demands: DemandRequest[]) => [demands.map((d) => d.demandId), demands.map((d) => d.sku), demands.map((d) => d.quantity)];

/** Locks a demand's row; its SKU, or undefined when it was never recorded. */
export async function lockDemand(sql: Sql, demandId: string): Promise<{ sku: string } | undefined> {
  const [demand] = await sql<{ sku: string }>('SELECT sku FROM procurement.demand WHERE demand_id = ? FOR UPDATE', [demandId]);
  return demand;
}

/** Locks a demand's buffered part; how many of its units are still buffered (0 when none). */
export async function lockBufferedQuantity(sql: Sql, demandId: string): Promise<number> {
  const [buffered] = await sql<{ quantity: number }>('SELECT quantity FROM procurement.buffered_demand WHERE demand_id = ? FOR UPDATE', [demandId]);
  return buffered?.quantity ?? 0;
}

/** Takes units of a demand out of its buffer (the row goes when none is left) and counts them as cancelled. */
export async function cancelBufferedUnits(sql: Sql, demandId: string, quantity: number): Promise<void> {
  await sql('DELETE FROM procurement.buffered_demand WHERE demand_id = ? AND quantity = ?', [demandId, quantity]);
  await sql('UPDATE procurement.buffered_demand SET quantity = quantity - ? WHERE demand_id = ? AND quantity > ?', [quantity, demandId, quantity]);
  await sql('UPDATE procurement.demand SET cancelled_quantity = cancelled_quantity + ? WHERE demand_id = ?', [quantity, demandId]);
}

/** How many units of a demand are on purchase orders. */
export async function quantityOnPurchaseOrders(sql: Sql, demandId: string): Promise<number> {
  const [{ onOrder }] = await sql<{ onOrder: number }>(
    'SELECT coalesce(sum(quantity), 0)::int AS on_order FROM procurement.purchase_order_demand WHERE demand_id = ?',
    [demandId],
  );
  return onOrder;
}

/**
 * Puts demand back into a buffer, keeping its original demand time: the SKU's serving supplier's, or for demand
 * a supplier declined, the next supplier's that has not (unassigned when none is left; see supplierOfDemandSql).
 */
export async function returnDemandToBuffer(sql: Sql, returned: ReturnedDemand[]): Promise<void> {
  if (returned.length === 0) return;
  await sql(
    `INSERT INTO procurement.buffered_demand (demand_id, sku, supplier_id, quantity, demand_time)
     SELECT r.demand_id, r.sku, ${supplierOfDemandSql('r.demand_id', 'r.sku')}, r.quantity, r.demand_time
     FROM unnest(?::text[], ?::text[], ?::int[], ?::timestamptz[]) AS r(demand_id, sku, quantity, demand_time)
     ON CONFLICT (demand_id) DO UPDATE SET quantity = buffered_demand.quantity + excluded.quantity,
       demand_time = least(buffered_demand.demand_time, excluded.demand_time), supplier_id = excluded.supplier_id`,
    [returned.map((r) => r.demandId), returned.map((r) => r.sku), returned.map((r) => r.quantity), returned.map((r) => r.demandTime)],
  );
}

/**
 * Moves a SKU's buffered demand to its serving supplier `supplierId`, and demand a supplier declined to its
 * next supplier that has not (alternateSupplierSql); how many demands moved.
 */
export async function reassignBufferedDemand(sql: Sql, sku: string, supplierId: string): Promise<number> {
  const moved = await sql(
    `UPDATE procurement.buffered_demand b SET supplier_id = t.supplier_id
     FROM (SELECT d.demand_id, CASE WHEN ${declinedSql('d.demand_id')} THEN ${alternateSupplierSql('d.demand_id', 'd.sku')} ELSE ?::text END AS supplier_id
           FROM procurement.buffered_demand d WHERE d.sku = ?) t
     WHERE b.demand_id = t.demand_id AND b.supplier_id IS DISTINCT FROM t.supplier_id RETURNING b.demand_id`,
    [supplierId, sku],
  );
  return moved.length;
}

/**
 * Up to `limit` SKUs after `after` with unassigned demand (no supplier sells the SKU, or every one declined it),
 * per SKU, ordered by SKU, with how much of it was declined.
 */
export function findUnassignedDemand(sql: Sql, after: string, limit: number): Promise<UnassignedDemand[]> {
  return sql<UnassignedDemand>(
    `SELECT b.sku, sum(b.quantity)::int AS quantity, min(b.demand_time) AS oldest_demand_time,
       coalesce(sum(b.quantity) FILTER (WHERE ${declinedSql('b.demand_id')}), 0)::int AS declined_quantity
     FROM procurement.buffered_demand b
     WHERE b.supplier_id IS NULL AND b.sku > ? GROUP BY b.sku ORDER BY b.sku LIMIT ?`,
    [after, limit],
  );
}

/** Records a cancellation request as asked (0 = all still buffered) with what it took out of the buffer. */
export async function insertDemandCancellation(sql: Sql, cancellation: { demandId: string; requestedQuantity: number; cancelledQuantity: number; cancelTime: Date }): Promise<void> {
  await sql(
    'INSERT INTO procurement.demand_cancellation (demand_id, requested_quantity, cancelled_quantity, cancel_time) VALUES (?, ?, ?, ?)',
    [cancellation.demandId, cancellation.requestedQuantity, cancellation.cancelledQuantity, cancellation.cancelTime],
  );
}

/** SKUs the supplier serves now, as SQL (a CTE body) over the supplier id parameter. */
const SERVED_SKUS = `SELECT p.sku FROM procurement.supplier_product p WHERE p.supplier_id = ? AND ${supplierOfSkuSql('p.sku')} = p.supplier_id`;

/** Demand that arrived in [from, to) for the SKUs the supplier serves now, in arrival order. */
export function findDemandArrivals(sql: Sql, supplierId: string, from: Date, to: Date): Promise<{ demandId: string; sku: string; quantity: number; demandTime: Date }[]> {
  return sql<{ demandId: string; sku: string; quantity: number; demandTime: Date }>(
    `WITH served AS (${SERVED_SKUS})
     SELECT d.demand_id, d.sku, d.quantity, d.demand_time FROM procurement.demand d JOIN served USING (sku)
     WHERE d.demand_time >= ? AND d.demand_time < ? ORDER BY d.demand_time, d.demand_id`,
    [supplierId, from, to],
  );
}

/** Cancellations asked in [from, to) of demand for the SKUs the supplier serves now, in time order. */
export function findDemandCancellations(sql: Sql, supplierId: string, from: Date, to: Date): Promise<{ demandId: string; requestedQuantity: number; cancelTime: Date }[]> {
  return sql<{ demandId: string; requestedQuantity: number; cancelTime: Date }>(
    `WITH served AS (${SERVED_SKUS})
     SELECT c.demand_id, c.requested_quantity, c.cancel_time
     FROM procurement.demand_cancellation c JOIN procurement.demand d USING (demand_id) JOIN served USING (sku)
     WHERE c.cancel_time >= ? AND c.cancel_time < ? ORDER BY c.cancel_time, c.id`,
    [supplierId, from, to],
  );
}

/** Units of a SKU still buffered (not on a PO), whoever buffers them. */
export async function bufferedQuantityOfSku(sql: Sql, sku: string): Promise<number> {
  const [{ quantity }] = await sql<{ quantity: number }>('SELECT coalesce(sum(quantity), 0)::int AS quantity FROM procurement.buffered_demand WHERE sku = ?', [sku]);
  return quantity;
}
