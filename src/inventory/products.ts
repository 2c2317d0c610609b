import { notFound } from '../platform/errors';
import { sqlOf, transaction, type Orm } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import type { ProductEntity } from './product.entity';
import { createEmptyStock, findProductPage, findProducts, type ProductFilter, type ProductInput, writeProduct } from './product.repository';

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

/** A page of products in SKU byte order, filtered by SKU prefix and discontinued; the token carries the last SKU. */
export async function listProducts(orm: Orm, filter: ProductFilter, limit: number, pageToken: string): Promise<{ products: ProductEntity[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, (p): p is string => typeof p === 'string' && p !== '') ?? '';
  const rows = await findProductPage(sqlOf(orm.em.fork()), filter, after, limit + 1);
  const page = rows.slice(0, limit);
  return { products: page, nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].sku) : '' };
}
