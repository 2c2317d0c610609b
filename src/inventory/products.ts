import { notFound } from '../platform/errors';
import { transaction, type Orm } from '../platform/orm';
import { ProductSchema, type ProductEntity } from './product.entity';

export type ProductInput = Omit<ProductEntity, 'createTime' | 'updateTime'>;

/** Creates or replaces a product; a new product starts with an empty stock level. */
export function upsertProduct(orm: Orm, input: ProductInput): Promise<ProductEntity> {
  return transaction(orm, async (sql, em) => {
    const product = await em.upsert(ProductSchema, { ...input, updateTime: new Date() });
    await sql('INSERT INTO inventory.stock (sku) VALUES (?) ON CONFLICT (sku) DO NOTHING', [input.sku]);
    return product;
  });
}

/** Returns the products with these SKUs in the order asked; NOT_FOUND names the first missing one. */
export async function getProducts(orm: Orm, skus: string[]): Promise<ProductEntity[]> {
  const found = await orm.em.fork().find(ProductSchema, { sku: { $in: skus } });
  const bySku = new Map(found.map((product) => [product.sku, product]));
  return skus.map((sku) => {
    const product = bySku.get(sku);
    if (!product) throw notFound('product', sku);
    return product;
  });
}
