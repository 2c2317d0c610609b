import type { EntityManager, Sql } from '../platform/orm';
import type { SupplierProduct } from './catalog';
import { SupplierProductSchema } from './supplier-product.entity';

function toSupplierProduct({ supplierId, sku, supplierSku, unitCost, packSize, minOrderQuantity, preferred, alternateRank }: SupplierProduct): SupplierProduct {
  return { supplierId, sku, supplierSku, unitCost, packSize, minOrderQuantity, preferred, alternateRank };
}

/**
 * The supplier that serves a SKU, as SQL over `skuExpr`: the one marked preferred; if none is, the one
 * that has sold the SKU longest (first UpsertSupplierProduct), then the lowest supplier id.
 */
export function supplierOfSkuSql(skuExpr: string): string {
  return `(SELECT sp.supplier_id FROM procurement.supplier_product sp WHERE sp.sku = ${skuExpr}
           ORDER BY sp.preferred DESC, sp.create_time, sp.supplier_id LIMIT 1)`;
}

/** The supplier serving a SKU now (see supplierOfSkuSql); null when nobody sells it. */
export async function servingSupplierOf(sql: Sql, sku: string): Promise<string | null> {
  const [{ supplierId }] = await sql<{ supplierId: string | null }>(`SELECT ${supplierOfSkuSql('?')} AS supplier_id`, [sku]);
  return supplierId;
}

const SKU_LOCK = (sku: string) => `procurement.sku:${sku}`;

/** Takes the SKU's assignment lock exclusively until commit: catalog changes that may move its demand. */
export async function lockSkuAssignment(sql: Sql, sku: string): Promise<void> {
  await sql('SELECT pg_advisory_xact_lock(hashtext(?))', [SKU_LOCK(sku)]);
}

/** Takes the SKUs' assignment locks shared until commit: demand arriving, which catalog changes must not reassign meanwhile. */
export async function shareSkuAssignments(sql: Sql, skus: string[]): Promise<void> {
  await sql('SELECT pg_advisory_xact_lock_shared(hashtext(k)) FROM (SELECT DISTINCT k FROM unnest(?::text[]) AS k ORDER BY k) AS keys', [skus.map(SKU_LOCK)]);
}

/** Creates or replaces what a supplier sells for a SKU. */
export async function saveSupplierProduct(em: EntityManager, product: SupplierProduct): Promise<SupplierProduct> {
  return toSupplierProduct(await em.upsert(SupplierProductSchema, product));
}

/** Unmarks the SKU's other suppliers as preferred. */
export async function unmarkOtherPreferred(em: EntityManager, sku: string, supplierId: string): Promise<void> {
  await em.nativeUpdate(SupplierProductSchema, { sku, supplierId: { $ne: supplierId }, preferred: true }, { preferred: false });
}

/** How many products a supplier has priced. */
export function countSupplierProducts(em: EntityManager, supplierId: string): Promise<number> {
  return em.count(SupplierProductSchema, { supplierId });
}

/** The products of these (supplier, SKU) pairs, in one statement for a whole release batch. */
export async function findSupplierProducts(sql: Sql, pairs: [supplierId: string, sku: string][]): Promise<SupplierProduct[]> {
  return sql<SupplierProduct>(
    `SELECT supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity, preferred, alternate_rank FROM procurement.supplier_product
     WHERE (supplier_id, sku) IN (SELECT * FROM unnest(?::text[], ?::text[])) ORDER BY supplier_id, sku`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
}

/** The products of a supplier for the SKUs it serves now, by SKU. */
export async function findServedProducts(sql: Sql, supplierId: string): Promise<SupplierProduct[]> {
  return sql<SupplierProduct>(
    `SELECT p.supplier_id, p.sku, p.supplier_sku, p.unit_cost, p.pack_size, p.min_order_quantity, p.preferred, p.alternate_rank FROM procurement.supplier_product p
     WHERE p.supplier_id = ? AND ${supplierOfSkuSql('p.sku')} = p.supplier_id ORDER BY p.sku`,
    [supplierId],
  );
}

/** A supplier product as listed: with its supplier's currency and whether that supplier serves the SKU now. */
export type ListedSupplierProduct = SupplierProduct & { currencyCode: string; serving: boolean };

const LISTED_COLUMNS = `p.supplier_id, p.sku, p.supplier_sku, p.unit_cost, p.pack_size, p.min_order_quantity, p.preferred, p.alternate_rank,
  s.currency_code, ${supplierOfSkuSql('p.sku')} = p.supplier_id AS serving`;

/** One supplier product as listed; undefined when the supplier does not sell the SKU. */
export async function findListedSupplierProduct(sql: Sql, supplierId: string, sku: string): Promise<ListedSupplierProduct | undefined> {
  const [row] = await sql<ListedSupplierProduct>(
    `SELECT ${LISTED_COLUMNS} FROM procurement.supplier_product p JOIN procurement.supplier s USING (supplier_id)
     WHERE p.supplier_id = ? AND p.sku = ?`,
    [supplierId, sku],
  );
  return row;
}

/** Where a page of supplier products ends: the last one's supplier id and SKU. */
export type SupplierProductPosition = [supplierId: string, sku: string];

/**
 * Up to limit supplier products after `after` in (supplier id, SKU) order, of one supplier and/or one SKU
 * ('' = any): the primary key serves a supplier's products, supplier_product_by_sku a SKU's suppliers.
 */
export function findSupplierProductPage(
  sql: Sql,
  filter: { supplierId: string; sku: string },
  after: SupplierProductPosition | null,
  limit: number,
): Promise<ListedSupplierProduct[]> {
  return sql<ListedSupplierProduct>(
    `SELECT ${LISTED_COLUMNS} FROM procurement.supplier_product p JOIN procurement.supplier s USING (supplier_id)
     WHERE (? = '' OR p.supplier_id = ?) AND (? = '' OR p.sku = ?) AND (?::text IS NULL OR (p.supplier_id, p.sku) > (?::text, ?::text))
     ORDER BY p.supplier_id, p.sku LIMIT ?`,
    [filter.supplierId, filter.supplierId, filter.sku, filter.sku, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
}

/** Deletes what a supplier sells for a SKU; returns the deleted row, or undefined when there was none. */
export async function deleteSupplierProductRow(sql: Sql, supplierId: string, sku: string): Promise<SupplierProduct | undefined> {
  const [row] = await sql<SupplierProduct>(
    `DELETE FROM procurement.supplier_product WHERE supplier_id = ? AND sku = ?
     RETURNING supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity, preferred, alternate_rank`,
    [supplierId, sku],
  );
  return row;
}

/** Keeps a deletion in the audit trail: who, when, why, and the product as it was. */
export async function insertSupplierProductDeletion(
  sql: Sql,
  deletion: { product: SupplierProduct; currencyCode: string; deletedBy: string; reason: string; deleteTime: Date },
): Promise<void> {
  await sql(
    `INSERT INTO procurement.supplier_product_deletion (supplier_id, sku, deleted_by, reason, product, delete_time) VALUES (?, ?, ?, ?, ?::jsonb, ?)`,
    [deletion.product.supplierId, deletion.product.sku, deletion.deletedBy, deletion.reason,
      JSON.stringify({ ...toSupplierProduct(deletion.product), currencyCode: deletion.currencyCode }), deletion.deleteTime],
  );
}
