import { randomUUID } from 'node:crypto';
import { failedPrecondition } from '../platform/errors';
import { transaction, type Orm, type Sql } from '../platform/orm';
import { refreshEtas } from './eta-refresh';
import { findSupplier } from './suppliers';

/** SupplierProduct is what a supplier sells us for one SKU (unit cost as a decimal in its currency). */
export interface SupplierProduct {
  supplierId: string;
  sku: string;
  supplierSku: string;
  unitCost: string;
  packSize: number;
  minOrderQuantity: number;
  preferred: boolean;
}

export const SUPPLIER_PRODUCT_COLUMNS = `supplier_id AS "supplierId", sku, supplier_sku AS "supplierSku", unit_cost::text AS "unitCost",
  pack_size AS "packSize", min_order_quantity AS "minOrderQuantity", preferred`;

/**
 * The supplier that serves a SKU, as SQL over `sku_expr`: the one marked preferred; if none is, the one
 * that has sold the SKU longest (first UpsertSupplierProduct), then the lowest supplier id.
 */
export function supplierOfSkuSql(skuExpr: string): string {
  return `(SELECT sp.supplier_id FROM procurement.supplier_product sp WHERE sp.sku = ${skuExpr}
           ORDER BY sp.preferred DESC, sp.create_time, sp.supplier_id LIMIT 1)`;
}

/**
 * Creates or replaces what a supplier sells for a SKU. Marking it preferred unmarks the SKU's other
 * suppliers. Buffered demand of the SKU (unassigned included) then moves to the SKU's supplier by the
 * rule above; demand already on a PO stays there. Returns the product and the supplier now serving the SKU.
 */
export function upsertSupplierProduct(orm: Orm, product: SupplierProduct & { currencyCode: string }): Promise<{ product: SupplierProduct; servingSupplierId: string }> {
  return transaction(orm, async (sql) => {
    const supplier = await findSupplier(sql, product.supplierId);
    if (supplier.currencyCode !== product.currencyCode) {
      throw failedPrecondition('CURRENCY_MISMATCH', `supplier ${supplier.supplierId} prices in ${supplier.currencyCode}`, { supplier_id: supplier.supplierId });
    }
    // Serialise catalog changes of one SKU, so two "preferred" upserts cannot both win.
    await sql('SELECT pg_advisory_xact_lock(hashtext(?))', [`procurement.sku:${product.sku}`]);
    if (product.preferred) {
      await sql('UPDATE procurement.supplier_product SET preferred = false WHERE sku = ? AND supplier_id <> ? AND preferred', [product.sku, product.supplierId]);
    }
    const [saved] = await sql<SupplierProduct>(
      `INSERT INTO procurement.supplier_product (supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity, preferred)
       VALUES (?, ?, ?, ?::numeric, ?, ?, ?)
       ON CONFLICT (supplier_id, sku) DO UPDATE SET supplier_sku = excluded.supplier_sku, unit_cost = excluded.unit_cost,
         pack_size = excluded.pack_size, min_order_quantity = excluded.min_order_quantity, preferred = excluded.preferred
       RETURNING ${SUPPLIER_PRODUCT_COLUMNS}`,
      [product.supplierId, product.sku, product.supplierSku, product.unitCost, product.packSize, product.minOrderQuantity, product.preferred],
    );
    const servingSupplierId = await assignBufferedDemand(sql, product.sku);
    return { product: saved, servingSupplierId };
  });
}

/** Moves a SKU's buffered demand to the supplier serving it now; returns that supplier. */
async function assignBufferedDemand(sql: Sql, sku: string): Promise<string> {
  const [{ supplierId }] = await sql<{ supplierId: string }>(`SELECT ${supplierOfSkuSql('?')} AS "supplierId"`, [sku]);
  const moved = await sql(
    'UPDATE procurement.buffered_demand SET supplier_id = ? WHERE sku = ? AND supplier_id IS DISTINCT FROM ? RETURNING demand_id',
    [supplierId, sku, supplierId],
  );
  if (moved.length > 0) await refreshEtas(sql, [sku], `assign:${randomUUID()}`);
  return supplierId;
}
