import type { EntityManager, Sql } from '../platform/orm';
import type { SupplierProduct } from './catalog';
import { SupplierProductSchema } from './supplier-product.entity';

function toSupplierProduct({ supplierId, sku, supplierSku, unitCost, packSize, minOrderQuantity, preferred }: SupplierProduct): SupplierProduct {
  return { supplierId, sku, supplierSku, unitCost, packSize, minOrderQuantity, preferred };
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

/** Takes the SKU's assignment lock shared until commit: demand arriving, which catalog changes must not reassign meanwhile. */
export async function shareSkuAssignment(sql: Sql, sku: string): Promise<void> {
  await sql('SELECT pg_advisory_xact_lock_shared(hashtext(?))', [SKU_LOCK(sku)]);
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
    `SELECT supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity, preferred FROM procurement.supplier_product
     WHERE (supplier_id, sku) IN (SELECT * FROM unnest(?::text[], ?::text[])) ORDER BY supplier_id, sku`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
}

/** The products of a supplier for the SKUs it serves now, by SKU. */
export async function findServedProducts(sql: Sql, supplierId: string): Promise<SupplierProduct[]> {
  return sql<SupplierProduct>(
    `SELECT p.supplier_id, p.sku, p.supplier_sku, p.unit_cost, p.pack_size, p.min_order_quantity, p.preferred FROM procurement.supplier_product p
     WHERE p.supplier_id = ? AND ${supplierOfSkuSql('p.sku')} = p.supplier_id ORDER BY p.sku`,
    [supplierId],
  );
}
