import type { Sql } from '../platform/orm';
import type { ReturnedDemand } from './demand';
import { supplierOfSkuSql } from './supplier-product.repository';

/** True when some supplier declined the demand `demandExpr`, as SQL. */
export function declinedSql(demandExpr: string): string {
  return `EXISTS (SELECT 1 FROM procurement.demand_decline x WHERE x.demand_id = ${demandExpr})`;
}

/**
 * The supplier a demand some supplier declined goes to, as SQL over column expressions (not parameters: each is
 * used more than once): the first supplier of the SKU that has not declined it, alternate_rank 1, 2, ... first,
 * then the unranked (0) by the serving rule (preferred, longest selling, lowest id); NULL (unassigned) when
 * every supplier of the SKU declined it.
 */
export function alternateSupplierSql(demandExpr: string, skuExpr: string): string {
  return `(SELECT sp.supplier_id FROM procurement.supplier_product sp
     WHERE sp.sku = ${skuExpr}
       AND NOT EXISTS (SELECT 1 FROM procurement.demand_decline x WHERE x.demand_id = ${demandExpr} AND x.supplier_id = sp.supplier_id)
     ORDER BY sp.alternate_rank = 0, sp.alternate_rank, sp.preferred DESC, sp.create_time, sp.supplier_id LIMIT 1)`;
}

/** The supplier a demand's buffered units wait with, as SQL: its alternate once declined, else the SKU's serving supplier. */
export function supplierOfDemandSql(demandExpr: string, skuExpr: string): string {
  return `CASE WHEN ${declinedSql(demandExpr)} THEN ${alternateSupplierSql(demandExpr, skuExpr)} ELSE ${supplierOfSkuSql(skuExpr)} END`;
}

/** Records that a supplier declined these units of demand on its PO; a later decline on the same PO adds to it. */
export async function insertDeclines(
  sql: Sql,
  decline: { supplierId: string; purchaseOrderId: string; declineTime: Date },
  declined: ReturnedDemand[],
): Promise<void> {
  await sql(
    `INSERT INTO procurement.demand_decline (demand_id, supplier_id, purchase_order_id, sku, quantity, decline_time)
     SELECT d.demand_id, ?, ?, d.sku, d.quantity, ? FROM unnest(?::text[], ?::text[], ?::int[]) AS d(demand_id, sku, quantity)
     ON CONFLICT (demand_id, supplier_id, purchase_order_id) DO UPDATE SET quantity = demand_decline.quantity + excluded.quantity,
       decline_time = excluded.decline_time`,
    [decline.supplierId, decline.purchaseOrderId, decline.declineTime, declined.map((d) => d.demandId), declined.map((d) => d.sku), declined.map((d) => d.quantity)],
  );
}
