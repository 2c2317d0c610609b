import type { Peers } from '../platform/service-module';
import { askPeer } from './peer-errors';

const PAGE = 1000;

/**
 * The SKUs a supplier serves now (of just one SKU when sku is given), asked of Procurement
 * (ListSupplierProducts, every page): Orders does not know suppliers. An unknown supplier is Procurement's
 * NOT_FOUND; an unreachable Procurement is UNAVAILABLE.
 */
export async function skusServedBy(peers: Peers, supplierId: string, sku = ''): Promise<string[]> {
  const skus: string[] = [];
  let pageToken = '';
  do {
    const page = await askPeer('procurement', () => peers.procurement.listSupplierProducts({ supplierId, sku, pageSize: PAGE, pageToken }, { timeoutMs: 10_000 }));
    for (const product of page.supplierProducts) if (product.serving) skus.push(product.sku);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return skus;
}
