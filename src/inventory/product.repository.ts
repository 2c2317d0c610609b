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
