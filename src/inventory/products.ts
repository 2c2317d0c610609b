import { notFound } from '../platform/errors';
import { transaction, type Orm } from '../platform/orm';
import type { ProductEntity } from './product.entity';
import { createEmptyStock, findProducts, type ProductInput, writeProduct } from './product.repository';

/** Creates or replaces a product; a new product starts with an empty stock level. */
export function upsertProduct(orm: Orm, input: ProductInput): Promise<ProductEntity> {
  return transaction(orm, async (sql, em) => {
    const product = await writeProduct(em, input);
    await createEmptyStock(sql, input.sku);
    return product;
  });
}

/** Returns the products with these SKUs in the order asked; NOT_FOUND names the first missing one. */
export async function getProducts(orm: Orm, skus: string[]): Promise<ProductEntity[]> {
  const found = await findProducts(orm.em.fork(), skus);
  const bySku = new Map(found.map((product) => [product.sku, product]));
  return skus.map((sku) => {
    const product = bySku.get(sku);
    if (!product) throw notFound('product', sku);
    return product;
  });
}
