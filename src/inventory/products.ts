import { notFound } from '../platform/errors';
import { sqlOf, transaction, type Orm } from '../platform/orm';
import type { Peers } from '../platform/service-module';
import { cancelWaitingLinesIfChosen, checkWaitingLinesChoice, type DiscontinueChoice } from './discontinue';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import type { ProductEntity } from './product.entity';
import { createEmptyStock, findProductPage, findProducts, type ProductFilter, type ProductInput, writeProduct } from './product.repository';

/**
 * Creates or replaces a product; a new product starts with an empty stock level. Discontinuing a product with
 * waiting backorder lines needs the planner's choice for them (discontinue.ts).
 */
export async function upsertProduct(orm: Orm, peers: Peers, input: ProductInput, choice: DiscontinueChoice): Promise<ProductEntity> {
  if (input.discontinued) {
    const [before] = await findProducts(orm.em.fork(), [input.sku]);
    if (before) await checkWaitingLinesChoice(peers, input, before.discontinued, choice);
  }
  return transaction(orm, async (sql, em) => {
    const product = await writeProduct(em, input);
    await createEmptyStock(sql, input.sku);
    await cancelWaitingLinesIfChosen(sql, input, choice);
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
