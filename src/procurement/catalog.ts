import { randomUUID } from 'node:crypto';
import { failedPrecondition } from '../platform/errors';
import { transaction, type Orm, type Sql } from '../platform/orm';
import { reassignBufferedDemand } from './demand.repository';
import { refreshEtas } from './eta-refresh';
import { findSupplier } from './supplier.repository';
import { lockSkuAssignment, saveSupplierProduct, servingSupplierOf, unmarkOtherPreferred } from './supplier-product.repository';

/** SupplierProduct is what a supplier sells us for one SKU (unit cost as a decimal in its currency). */
export interface SupplierProduct {
  supplierId: string;
  sku: string;
  supplierSku: string;
  unitCost: string;
  packSize: number;
  minOrderQuantity: number;
  preferred: boolean;
  /** Where it comes among the SKU's alternates when a supplier declines quantity (1, 2, ...; 0 = after the ranked ones). */
  alternateRank: number;
}

/**
 * Creates or replaces what a supplier sells for a SKU. Marking it preferred unmarks the SKU's other
 * suppliers. Buffered demand of the SKU (unassigned included) then moves to the SKU's serving supplier;
 * demand already on a PO stays there. Returns the product and the supplier now serving the SKU.
 */
export function upsertSupplierProduct(orm: Orm, product: SupplierProduct & { currencyCode: string }): Promise<{ product: SupplierProduct; servingSupplierId: string }> {
  return transaction(orm, async (sql, em) => {
    const supplier = await findSupplier(em, product.supplierId);
    if (supplier.currencyCode !== product.currencyCode) {
      throw failedPrecondition('CURRENCY_MISMATCH', `supplier ${supplier.supplierId} prices in ${supplier.currencyCode}`, { supplier_id: supplier.supplierId });
    }
    // Serialise catalog changes of one SKU, so two "preferred" upserts cannot both win.
    await lockSkuAssignment(sql, product.sku);
    if (product.preferred) await unmarkOtherPreferred(em, product.sku, product.supplierId);
    const { currencyCode: _currency, ...fields } = product;
    const saved = await saveSupplierProduct(em, fields);
    const servingSupplierId = await assignBufferedDemand(sql, product.sku);
    return { product: saved, servingSupplierId };
  });
}

/** Moves a SKU's buffered demand to the supplier serving it now; returns that supplier. */
async function assignBufferedDemand(sql: Sql, sku: string): Promise<string> {
  const supplierId = (await servingSupplierOf(sql, sku))!;
  if ((await reassignBufferedDemand(sql, sku, supplierId)) > 0) await refreshEtas(sql, [sku], `assign:${randomUUID()}`);
  return supplierId;
}
