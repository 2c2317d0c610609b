import type { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Clock } from '../platform/clock';
import { invalidArgument } from '../platform/errors';
import type { Orm } from '../platform/orm';
import { pageSize } from '../platform/pagination';
import type { Handlers } from '../platform/rpc';
import { MAX_QUANTITY, Validator } from '../platform/validation';
import { listPolicyChanges, updateBufferPolicy } from './buffer-policy';
import { evaluateBuffersNow, recordDemandAndRelease, upsertSupplierProductAndRelease } from './buffer-triggers';
import { getBuffer } from './buffers';
import { cancelDemand, listUnassignedDemand } from './demand';
import * as map from './procurement.mapping';
import { checkPolicy, checkSupplier, checkSupplierProduct, optionalId } from './procurement.validation';
import { getSupplier, listSuppliers, upsertSupplier } from './suppliers';
import { getSupplierProduct } from './supplier-products';

/** Handlers of suppliers, catalog, policies, buffers and demand: validate, call one domain function, map. */
export function bufferHandlers(orm: Orm, clock: Clock): Handlers<typeof ProcurementServiceDefinition> {
  return {
    async upsertSupplier({ supplier }) {
      checkSupplier(supplier);
      return { supplier: map.toSupplier(await upsertSupplier(orm, clock, map.fromSupplier(supplier!))) };
    },
    async getSupplier({ supplierId }) {
      new Validator().id('supplier_id', supplierId).done();
      return { supplier: map.toSupplier(await getSupplier(orm, supplierId)) };
    },
    async listSuppliers(request) {
      const page = await listSuppliers(orm, pageSize(request.pageSize), request.pageToken);
      return { suppliers: page.suppliers.map(map.toSupplier), nextPageToken: page.nextPageToken };
    },
    async upsertSupplierProduct({ supplierProduct }) {
      checkSupplierProduct(supplierProduct);
      const product = map.fromSupplierProduct(supplierProduct!);
      const saved = await upsertSupplierProductAndRelease(orm, clock, product);
      // serving is read back: the upsert may have made (or unmade) this supplier the SKU's serving one.
      const { serving } = await getSupplierProduct(orm, saved.supplierId, saved.sku);
      return { supplierProduct: map.toSupplierProduct(saved, product.currencyCode, serving) };
    },
    async updateBufferPolicy(request, call) {
      if (!request.policy) throw invalidArgument([{ field: 'policy', description: 'is required' }]);
      // Who changed the policy is the caller: updated_by may be left empty, and may not name anyone else.
      checkPolicy(new Validator().id('supplier_id', request.supplierId), 'policy', request.policy)
        .check(!request.updatedBy || request.updatedBy === call.caller.sub, 'updated_by', `must be empty or the caller (${call.caller.sub})`)
        .text('reason', request.reason, { min: 1, max: 500 })
        .done();
      const supplier = await updateBufferPolicy(orm, clock, {
        supplierId: request.supplierId,
        policy: map.fromPolicy(request.policy),
        minValueCurrency: request.policy.minValue?.currencyCode ?? '',
        updatedBy: call.caller.sub,
        reason: request.reason,
      });
      return { supplier: map.toSupplier(supplier) };
    },
    async listPolicyChanges(request) {
      new Validator().id('supplier_id', request.supplierId).done();
      const page = await listPolicyChanges(orm, request.supplierId, pageSize(request.pageSize), request.pageToken);
      return { policyChanges: page.changes.map((c) => map.toPolicyChange(c, page.currencyCode)), nextPageToken: page.nextPageToken };
    },
    async getBuffer({ supplierId }) {
      new Validator().id('supplier_id', supplierId).done();
      return { buffer: map.toBuffer(await getBuffer(orm, supplierId)) };
    },
    async listUnassignedDemand(request) {
      return listUnassignedDemand(orm, pageSize(request.pageSize), request.pageToken);
    },
    async recordDemand(request) {
      new Validator().id('demand_id', request.demandId).sku('sku', request.sku).quantity('quantity', request.quantity).done();
      const result = await recordDemandAndRelease(orm, clock, request);
      return { supplierId: result.supplierId, purchaseOrders: result.purchaseOrders.map(map.toPurchaseOrder) };
    },
    async cancelDemand(request) {
      const v = new Validator().id('demand_id', request.demandId).quantity('quantity', request.quantity, { min: 0, max: MAX_QUANTITY });
      optionalId(v, 'request_id', request.requestId).done();
      return cancelDemand(orm, request);
    },
    async evaluateBuffers(request, call) {
      optionalId(new Validator(), 'supplier_id', request.supplierId).done();
      const orders = await evaluateBuffersNow(orm, { asOf: request.asOfTime ?? clock.now(), supplierId: request.supplierId, force: request.force, releasedBy: call.caller.sub });
      return { purchaseOrders: orders.map(map.toPurchaseOrder) };
    },
  };
}
