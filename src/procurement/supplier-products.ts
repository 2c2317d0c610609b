import { randomUUID } from 'node:crypto';
import type { Clock } from '../platform/clock';
import { failedPrecondition, notFound } from '../platform/errors';
import { sqlOf, transaction, type Orm } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import type { SupplierProduct } from './catalog';
import { bufferedQuantityOfSku, reassignBufferedDemand } from './demand.repository';
import { refreshEtas } from './eta-refresh';
import { findSupplier } from './supplier.repository';
import {
  deleteSupplierProductRow, findListedSupplierProduct, findSupplierProductPage, insertSupplierProductDeletion, lockSkuAssignment,
  servingSupplierOf, type ListedSupplierProduct, type SupplierProductPosition,
} from './supplier-product.repository';

/** Returns what a supplier sells for a SKU, with its currency and whether it serves the SKU now. */
export async function getSupplierProduct(orm: Orm, supplierId: string, sku: string): Promise<ListedSupplierProduct> {
  const product = await findListedSupplierProduct(sqlOf(orm.em.fork()), supplierId, sku);
  if (!product) throw notFound('supplier_product', `${supplierId}/${sku}`);
  return product;
}

const isPosition = (p: unknown): p is SupplierProductPosition => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string');

/** A page of supplier products by supplier, then SKU; an unknown supplier in the filter is NOT_FOUND. */
export async function listSupplierProducts(
  orm: Orm,
  filter: { supplierId: string; sku: string },
  limit: number,
  pageToken: string,
): Promise<{ supplierProducts: ListedSupplierProduct[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, isPosition) ?? null;
  const em = orm.em.fork();
  if (filter.supplierId !== '') await findSupplier(em, filter.supplierId);
  const rows = await findSupplierProductPage(sqlOf(em), filter, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { supplierProducts: page, nextPageToken: rows.length > limit ? encodePageToken([last.supplierId, last.sku]) : '' };
}

/**
 * Stops buying a SKU from a supplier, kept in the audit trail (who, when, why, the product). The SKU's
 * buffered demand moves to the supplier serving it next (the same rule as UpsertSupplierProduct), and Orders
 * hears that its ETAs changed. Refused while demand is buffered and no other supplier sells the SKU: that
 * demand would wait for nobody (add the new supplier first). Demand already on POs stays there.
 */
export function deleteSupplierProduct(
  orm: Orm,
  clock: Clock,
  request: { supplierId: string; sku: string; reason: string; deletedBy: string },
): Promise<{ product: SupplierProduct; currencyCode: string; servingSupplierId: string | null }> {
  return transaction(orm, async (sql, em) => {
    const supplier = await findSupplier(em, request.supplierId);
    // Serialise with other catalog changes and with demand arriving for the SKU (they take it shared).
    await lockSkuAssignment(sql, request.sku);
    const product = await deleteSupplierProductRow(sql, request.supplierId, request.sku);
    if (!product) throw notFound('supplier_product', `${request.supplierId}/${request.sku}`);
    const servingSupplierId = await servingSupplierOf(sql, request.sku);
    if (servingSupplierId === null) {
      const buffered = await bufferedQuantityOfSku(sql, request.sku);
      if (buffered > 0) {
        throw failedPrecondition(
          'LAST_SUPPLIER_WITH_DEMAND',
          `${request.supplierId} is the only supplier of ${request.sku} and ${buffered} units of it are buffered: add another supplier first`,
          { supplier_id: request.supplierId, sku: request.sku, buffered_quantity: String(buffered) },
        );
      }
    } else if ((await reassignBufferedDemand(sql, request.sku, servingSupplierId)) > 0) {
      await refreshEtas(sql, [request.sku], `unassign:${randomUUID()}`);
    }
    await insertSupplierProductDeletion(sql, { product, currencyCode: supplier.currencyCode, deletedBy: request.deletedBy, reason: request.reason, deleteTime: clock.now() });
    return { product, currencyCode: supplier.currencyCode, servingSupplierId };
  });
}
