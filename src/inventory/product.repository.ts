import type { EntityManager, Sql } from '../platform/orm';
import { ProductSchema, type ProductEntity } from './product.entity';

export type ProductInput = Omit<ProductEntity, 'createTime' | 'updateTime'>;

/** Inserts the product or replaces its fields; returns it as stored. */
export function writeProduct(em: EntityManager, input: ProductInput): Promise<ProductEntity> {
  return em.upsert(ProductSchema, { ...input, updateTime: new Date() });
}

/** The products with these SKUs, in no particular order; unknown SKUs are left out. */
export function findProducts(em: EntityManager, skus: string[]): Promise<ProductEntity[]> {
  return em.find(ProductSchema, { sku: { $in: skus } });
}

/** Creates the product's stock level, empty, unless it has one. */
export async function createEmptyStock(sql: Sql, sku: string): Promise<void> {
  await sql('INSERT INTO inventory.stock (sku) VALUES (?) ON CONFLICT (sku) DO NOTHING', [sku]);
}

/** What ListProducts filters on: a SKU prefix ('' = any) and discontinued (undefined = either). */
export interface ProductFilter {
  skuPrefix: string;
  discontinued: boolean | undefined;
}

/**
 * Up to limit products after SKU `after` ('' = from the start) in SKU byte order, filtered: one range scan of
 * product_by_sku_bytes, since the SKUs with a prefix are the range [prefix, prefix with its last byte raised).
 */
export function findProductPage(sql: Sql, filter: ProductFilter, after: string, limit: number): Promise<ProductEntity[]> {
  const prefix = filter.skuPrefix;
  const end = prefix === '' ? null : prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return sql<ProductEntity>(
    `SELECT sku, name, unit_price_currency, unit_price_units, unit_price_nanos, accept_backorders, max_backorder_quantity_per_customer, max_backorder_quantity_total,
       discontinued, create_time, update_time
     FROM inventory.product
     WHERE (sku COLLATE "C") > (?::text COLLATE "C") AND (sku COLLATE "C") >= (?::text COLLATE "C")
       AND (?::text IS NULL OR (sku COLLATE "C") < (?::text COLLATE "C")) AND starts_with(sku, ?)
       AND (?::boolean IS NULL OR discontinued = ?::boolean)
     ORDER BY (sku COLLATE "C") LIMIT ?`,
    [after, prefix, end, end, prefix, filter.discontinued ?? null, filter.discontinued ?? null, limit],
  );
}
