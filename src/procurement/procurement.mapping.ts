import { ArrivalSource, NextReleaseRule as RuleProto, type Arrival as ArrivalProto, type Buffer as BufferProto, type BufferSummary as BufferSummaryProto, type PolicySimulation as PolicySimulationProto, type PurchaseOrderPreview as PreviewProto } from '../gen/restock/procurement/v1/buffer';
import { BufferOrder as BufferOrderProto } from '../gen/restock/procurement/v1/procurement_service';
import type { Duration } from '../gen/google/protobuf/duration';
import {
  PurchaseOrderEmailKind as EmailKindProto, PurchaseOrderStatus as StatusProto, ReleaseTrigger as TriggerProto, RevisionChannel as ChannelProto,
  type PurchaseOrder as PurchaseOrderProto, type PurchaseOrderEmail as PurchaseOrderEmailProto, type PurchaseOrderRevision as RevisionProto,
  type PurchaseOrderLine as PurchaseOrderLineProto,
} from '../gen/restock/procurement/v1/purchase_order';
import type { BufferPolicy as BufferPolicyProto, PolicyChange as PolicyChangeProto, Supplier as SupplierProto, SupplierProduct as SupplierProductProto } from '../gen/restock/procurement/v1/supplier';
import { Amount } from '../platform/money';
import type { PolicyChange, PolicySettings } from './buffer-policy';
import type { BufferOrder, BufferSummary } from './buffer-list';
import type { SupplierBuffer } from './buffers';
import type { PreviewedPurchaseOrder } from './preview';
import type { SimulationResult } from './simulation';
import type { SupplierProduct } from './catalog';
import { isOverdue } from './overdue';
import type { PurchaseOrderEmail } from './purchase-order-email.repository';
import type { PurchaseOrder, PurchaseOrderStatus } from './purchase-orders';
import type { PurchaseOrderRevision } from './purchase-order-revisions';
import { DEFAULT_RELEASE_SCHEDULE } from './schedule';
import type { Supplier, SupplierFields } from './suppliers';
import type { Arrival } from './supply-forecast';

/** A request's policy with defaults filled in (unset min value and schedule). */
export function fromPolicy(policy: BufferPolicyProto | undefined): PolicySettings {
  return {
    minQuantity: policy?.minQuantity ?? 0,
    minValue: policy?.minValue ? Amount.of(policy.minValue).toDecimal() : '0',
    releaseSchedule: policy?.releaseSchedule.trim() || DEFAULT_RELEASE_SCHEDULE,
    maxWaitDays: policy?.maxWaitDays ?? 0,
    paused: policy?.paused ?? false,
  };
}

/** A stored policy as the proto BufferPolicy, min value in the supplier's currency. */
export function toPolicy(policy: PolicySettings, currencyCode: string): BufferPolicyProto {
  return { ...policy, minValue: Amount.parse(policy.minValue, currencyCode).toMoney() };
}

/** A request's supplier; an unset buffer_policy becomes null (keep the current one). */
export function fromSupplier(supplier: SupplierProto): SupplierFields {
  const { bufferPolicy, ...fields } = supplier;
  return { ...fields, policy: bufferPolicy ? fromPolicy(bufferPolicy) : null };
}

/** A supplier as the proto Supplier. */
export function toSupplier(supplier: Supplier): SupplierProto {
  const { policy, nextReleaseTime: _next, ...fields } = supplier;
  return { ...fields, bufferPolicy: toPolicy(policy, supplier.currencyCode) };
}

/** A request's supplier product, with the currency its unit cost is in (serving is output only). */
export function fromSupplierProduct(product: SupplierProductProto): SupplierProduct & { currencyCode: string } {
  const { serving: _serving, ...fields } = product; // alternate ranks are not stored yet (#12)
  return { ...fields, unitCost: Amount.of(product.unitCost!).toDecimal(), currencyCode: product.unitCost!.currencyCode };
}

/** A supplier product as the proto, unit cost in the supplier's currency, with whether its supplier serves the SKU. */
export function toSupplierProduct(product: SupplierProduct, currencyCode: string, serving = false): SupplierProductProto {
  const { supplierId, sku, supplierSku, unitCost, packSize, minOrderQuantity, preferred, alternateRank } = product;
  return { supplierId, sku, supplierSku, unitCost: Amount.parse(unitCost, currencyCode).toMoney(), packSize, minOrderQuantity, preferred, serving, alternateRank };
}

/** An audit-trail entry as the proto PolicyChange. */
export function toPolicyChange(change: PolicyChange, currencyCode: string): PolicyChangeProto {
  return { ...change, oldPolicy: toPolicy(change.oldPolicy, currencyCode), newPolicy: toPolicy(change.newPolicy, currencyCode) };
}

/** A supplier's buffer as the proto Buffer (values in the supplier's currency). */
export function toBuffer(buffer: SupplierBuffer): BufferProto {
  return {
    supplierId: buffer.supplier.supplierId,
    lines: buffer.lines.map((l) => ({ ...l, value: l.value.toMoney() })),
    totalQuantity: buffer.totalQuantity,
    totalValue: buffer.totalValue.toMoney(),
    nextReleaseTime: buffer.nextReleaseTime ?? undefined,
  };
}

/** A PO status as the proto enum value. */
export function toStatus(status: PurchaseOrderStatus): StatusProto {
  return StatusProto[`PURCHASE_ORDER_STATUS_${status}`];
}

/** The domain status of a request's status filter; null for "any" (UNSPECIFIED). */
export function fromStatus(status: StatusProto): PurchaseOrderStatus | null {
  if (status === StatusProto.PURCHASE_ORDER_STATUS_UNSPECIFIED) return null;
  return StatusProto[status].replace('PURCHASE_ORDER_STATUS_', '') as PurchaseOrderStatus;
}

/** A PO as the proto PurchaseOrder, overdue or not at `now`. */
export function toPurchaseOrder(order: PurchaseOrder, now: Date): PurchaseOrderProto {
  return {
    purchaseOrderId: order.purchaseOrderId,
    number: order.number,
    supplierId: order.supplierId,
    status: toStatus(order.status),
    trigger: TriggerProto[`RELEASE_TRIGGER_${order.trigger}`],
    lines: order.lines.map((l) => ({ ...l, confirmedQuantity: l.confirmedQuantity ?? 0, unitCost: l.unitCost.toMoney(), promisedTime: l.promisedTime ?? undefined })),
    total: order.total.toMoney(),
    createTime: order.createTime,
    sendTime: order.sendTime ?? undefined,
    promisedTime: order.promisedTime ?? undefined,
    expectedTime: order.expectedTime,
    cancelReason: order.cancelReason,
    requestedDeliveryTime: order.requestedDeliveryTime,
    reminderCount: order.reminderCount,
    needsAttention: order.needsAttention,
    overdue: isOverdue(order, now),
    revisionCount: order.revisionCount,
    releasedBy: order.releasedBy,
    releaseReason: order.releaseReason,
  };
}

/** A revision as the proto PurchaseOrderRevision (an old quantity stays unset for a line not confirmed before). */
export function toRevision(revision: PurchaseOrderRevision): RevisionProto {
  return {
    ...revision,
    channel: ChannelProto[`REVISION_CHANNEL_${revision.channel}`],
    lines: revision.lines.map((l) => ({
      sku: l.sku,
      oldConfirmedQuantity: l.oldConfirmedQuantity ?? undefined,
      newConfirmedQuantity: l.newConfirmedQuantity,
      oldPromisedTime: l.oldPromisedTime ?? undefined,
      newPromisedTime: l.newPromisedTime ?? undefined,
    })),
  };
}

/** A logged PO email as the proto PurchaseOrderEmail (attachments are not part of it). */
export function toPurchaseOrderEmail(email: PurchaseOrderEmail): PurchaseOrderEmailProto {
  const { attachments: _attachments, kind, sendTime, ...fields } = email;
  return { ...fields, kind: EmailKindProto[`PURCHASE_ORDER_EMAIL_KIND_${kind}`], sendTime: sendTime ?? undefined };
}

/** A forecast arrival as the proto Arrival. */
export function toArrival(arrival: Arrival): ArrivalProto {
  return { ...arrival, source: arrival.source === 'PURCHASE_ORDER' ? ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER : ArrivalSource.ARRIVAL_SOURCE_BUFFER };
}

/** Milliseconds as a protobuf Duration. */
export function toDuration(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

/** A request's buffer order. */
export function fromBufferOrder(order: BufferOrderProto): BufferOrder {
  return ({ [BufferOrderProto.BUFFER_ORDER_NEXT_RELEASE]: 'NEXT_RELEASE', [BufferOrderProto.BUFFER_ORDER_AGE]: 'AGE', [BufferOrderProto.BUFFER_ORDER_VALUE]: 'VALUE' } as Record<number, BufferOrder>)[order] ?? 'SUPPLIER';
}

/** A buffer summary as the proto BufferSummary (values in the supplier's currency). */
export function toBufferSummary(s: BufferSummary): BufferSummaryProto {
  return {
    supplierId: s.supplierId,
    supplierName: s.supplierName,
    totalQuantity: s.totalQuantity,
    totalValue: s.totalValue.toMoney(),
    lines: s.lines.map((l) => ({ ...l, value: l.value.toMoney() })),
    oldestDemandTime: s.oldestDemandTime ?? undefined,
    oldestDemandAge: s.oldestDemandAgeMs === null ? undefined : toDuration(s.oldestDemandAgeMs),
    nextReleaseTime: s.nextReleaseTime ?? undefined,
    nextReleaseRule: RuleProto[`NEXT_RELEASE_RULE_${s.nextReleaseRule}`],
    minQuantity: s.minQuantity,
    minValue: s.minValue.toMoney(),
    minQuantityProgress: s.minQuantityProgress,
    minValueProgress: s.minValueProgress,
    paused: s.paused,
    scheduledReleaseTime: s.scheduledReleaseTime ?? undefined,
  };
}

/** A previewed PO as the proto PurchaseOrderPreview. */
export function toPurchaseOrderPreview(order: PreviewedPurchaseOrder): PreviewProto {
  const { currencyCode } = order.supplier;
  return {
    supplierId: order.supplier.supplierId,
    trigger: TriggerProto[`RELEASE_TRIGGER_${order.trigger}`],
    lines: order.lines.map((l) => toPlannedLine(l, Amount.parse(l.unitCost, currencyCode))),
    total: order.total.toMoney(),
    requestedDeliveryTime: order.requestedDeliveryTime,
  };
}

/** A simulation's result as the proto PolicySimulation (values in the supplier's currency). */
export function toPolicySimulation(result: SimulationResult): PolicySimulationProto {
  const { policy } = result;
  return {
    policy: { ...policy, minValue: policy.minValue.toMoney() },
    purchaseOrderCount: result.releases.length,
    demandedQuantity: result.demandedQuantity,
    orderedQuantity: result.orderedQuantity,
    surplusQuantity: result.surplusQuantity,
    averageWait: toDuration(result.averageWaitMs),
    p90Wait: toDuration(result.p90WaitMs),
    maxWait: toDuration(result.maxWaitMs),
    totalValue: result.totalValue.toMoney(),
    averagePurchaseOrderValue: result.averageValue.toMoney(),
    unreleasedQuantity: result.unreleasedQuantity,
    releases: result.releases.map((r) => ({
      releaseTime: r.time,
      trigger: TriggerProto[`RELEASE_TRIGGER_${r.trigger}`],
      lines: r.lines.map((l) => toPlannedLine(l, l.unitCost)),
      total: r.total.toMoney(),
    })),
  };
}

/** A PO line that is only planned (previewed or simulated): nothing confirmed or received yet. */
function toPlannedLine(line: { sku: string; supplierSku: string; quantity: number; demandedQuantity: number }, unitCost: Amount): PurchaseOrderLineProto {
  return { sku: line.sku, supplierSku: line.supplierSku, quantity: line.quantity, demandedQuantity: line.demandedQuantity, confirmedQuantity: 0, receivedQuantity: 0, promisedTime: undefined, unitCost: unitCost.toMoney() };
}
