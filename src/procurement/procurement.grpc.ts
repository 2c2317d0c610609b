import { BufferOrder, type ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Clock } from '../platform/clock';
import { invalidArgument } from '../platform/errors';
import type { Orm } from '../platform/orm';
import { pageSize } from '../platform/pagination';
import type { Handlers } from '../platform/rpc';
import { MAX_QUANTITY, Validator } from '../platform/validation';
import { listPolicyChanges, updateBufferPolicy } from './buffer-policy';
import { demandRecording, evaluateBuffersNow, upsertSupplierProductAndRelease } from './buffer-triggers';
import { listBuffers } from './buffer-list';
import { getBuffer } from './buffers';
import { simulatePolicy } from './policy-simulation';
import { previewRelease } from './preview';
import { cancelDemand, listUnassignedDemand } from './demand';
import * as map from './procurement.mapping';
import { checkPolicy, checkSupplier, checkSupplierProduct, maskedPolicy, optionalId, policyMaskFields } from './procurement.validation';
import { getSupplier, listSuppliers, upsertSupplier } from './suppliers';
import { getSupplierProduct } from './supplier-products';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Handlers of suppliers, catalog, policies, buffers and demand: validate, call one domain function, map. */
export function bufferHandlers(orm: Orm, clock: Clock): Handlers<typeof ProcurementServiceDefinition> {
  const recordDemandNow = demandRecording(orm, clock);
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
      const v = new Validator().id('supplier_id', request.supplierId);
      const fields = policyMaskFields(v, request.updateMask ?? []);
      // Fields the mask does not name are ignored (AIP-134), so they are not checked either.
      const named = fields === null ? request.policy : maskedPolicy(request.policy, fields);
      // Who changed the policy is the caller: updated_by may be left empty, and may not name anyone else.
      checkPolicy(v, 'policy', named)
        .check(!request.updatedBy || request.updatedBy === call.caller.sub, 'updated_by', `must be empty or the caller (${call.caller.sub})`)
        .text('reason', request.reason, { min: 1, max: 500 })
        .done();
      const supplier = await updateBufferPolicy(orm, clock, {
        supplierId: request.supplierId,
        policy: map.fromPolicy(named),
        fields,
        minValueCurrency: named.minValue?.currencyCode ?? '',
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
    async listBuffers(request) {
      new Validator()
        .check(Number.isInteger(request.pageSize) && request.pageSize >= 0, 'page_size', 'must not be negative')
        .text('supplier_name', request.supplierName, { max: 200 })
        .check(BufferOrder[request.orderBy] !== undefined && request.orderBy !== BufferOrder.UNRECOGNIZED, 'order_by', 'must be a BufferOrder value')
        .done();
      const limit = pageSize(request.pageSize);
      const now = clock.now();
      const page = await listBuffers(orm, {
        asOf: now,
        limit,
        pageToken: request.pageToken,
        dueBefore: request.dueBeforeTime ?? null,
        paused: request.paused ?? null,
        nameContains: request.supplierName,
        order: map.fromBufferOrder(request.orderBy),
      });
      return { buffers: page.buffers.map(map.toBufferSummary), nextPageToken: page.nextPageToken, asOfTime: page.asOf };
    },
    async previewRelease(request) {
      optionalId(new Validator(), 'supplier_id', request.supplierId).done();
      const asOf = request.asOfTime ?? clock.now();
      const orders = await previewRelease(orm, { asOf, supplierId: request.supplierId, force: request.force });
      return { purchaseOrders: orders.map(map.toPurchaseOrderPreview), asOfTime: asOf };
    },
    async simulatePolicy(request) {
      const end = request.endTime ?? clock.now();
      const start = request.startTime ?? new Date(end.getTime() - 13 * WEEK_MS);
      const v = new Validator()
        .id('supplier_id', request.supplierId)
        .check(request.proposedPolicy !== undefined, 'proposed_policy', 'is required')
        .check(end.getTime() <= clock.now().getTime(), 'end_time', 'must not be in the future')
        .check(start.getTime() < end.getTime(), 'start_time', 'must be before end_time')
        .check(end.getTime() - start.getTime() <= 53 * WEEK_MS, 'start_time', 'must be at most 53 weeks before end_time');
      checkPolicy(v, 'proposed_policy', request.proposedPolicy).done();
      const result = await simulatePolicy(orm, {
        supplierId: request.supplierId,
        proposed: map.fromPolicy(request.proposedPolicy),
        minValueCurrency: request.proposedPolicy?.minValue?.currencyCode ?? '',
        start,
        end,
      });
      return { proposed: map.toPolicySimulation(result.proposed), current: map.toPolicySimulation(result.current), startTime: start, endTime: end };
    },
    async listUnassignedDemand(request) {
      return listUnassignedDemand(orm, pageSize(request.pageSize), request.pageToken);
    },
    async recordDemand(request) {
      const v = new Validator().id('demand_id', request.demandId).sku('sku', request.sku).quantity('quantity', request.quantity);
      optionalId(v, 'request_id', request.requestId).done();
      const result = await recordDemandNow(request);
      return { supplierId: result.supplierId, purchaseOrders: result.purchaseOrders.map((o) => map.toPurchaseOrder(o, clock.now())) };
    },
    async cancelDemand(request) {
      const v = new Validator().id('demand_id', request.demandId).quantity('quantity', request.quantity, { min: 0, max: MAX_QUANTITY });
      optionalId(v, 'request_id', request.requestId).done();
      return cancelDemand(orm, clock, request);
    },
    async evaluateBuffers(request, call) {
      optionalId(new Validator(), 'supplier_id', request.supplierId)
        .text('reason', request.reason, { max: 500 })
        .check(request.reason === '' || request.force, 'reason', 'is only for a release by hand (force)')
        .done();
      const orders = await evaluateBuffersNow(orm, {
        asOf: request.asOfTime ?? clock.now(), supplierId: request.supplierId, force: request.force, releasedBy: call.caller.sub, releaseReason: request.reason.trim(),
      });
      return { purchaseOrders: orders.map((o) => map.toPurchaseOrder(o, clock.now())) };
    },
  };
}
