import type { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Clock } from '../platform/clock';
import type { Orm } from '../platform/orm';
import { pageSize } from '../platform/pagination';
import type { Handlers } from '../platform/rpc';
import { Validator } from '../platform/validation';
import * as map from './procurement.mapping';
import { optionalId } from './procurement.validation';
import { deleteSupplierProduct, getSupplierProduct, listSupplierProducts } from './supplier-products';

/** Handlers that read and delete supplier products: validate, call one domain function, map. */
export function supplierProductHandlers(orm: Orm, clock: Clock): Handlers<typeof ProcurementServiceDefinition> {
  return {
    async getSupplierProduct({ supplierId, sku }) {
      new Validator().id('supplier_id', supplierId).sku('sku', sku).done();
      const product = await getSupplierProduct(orm, supplierId, sku);
      return { supplierProduct: map.toSupplierProduct(product, product.currencyCode, product.serving) };
    },
    async listSupplierProducts(request) {
      const v = optionalId(new Validator(), 'supplier_id', request.supplierId);
      if (request.sku !== '') v.sku('sku', request.sku);
      v.done();
      const filter = { supplierId: request.supplierId, sku: request.sku };
      const page = await listSupplierProducts(orm, filter, pageSize(request.pageSize), request.pageToken);
      return {
        supplierProducts: page.supplierProducts.map((p) => map.toSupplierProduct(p, p.currencyCode, p.serving)),
        nextPageToken: page.nextPageToken,
      };
    },
    async deleteSupplierProduct(request, call) {
      new Validator().id('supplier_id', request.supplierId).sku('sku', request.sku).text('reason', request.reason, { min: 1, max: 500 }).done();
      const deleted = await deleteSupplierProduct(orm, clock, { ...request, deletedBy: call.caller.sub });
      return { supplierProduct: map.toSupplierProduct(deleted.product, deleted.currencyCode), servingSupplierId: deleted.servingSupplierId ?? '' };
    },
  };
}
