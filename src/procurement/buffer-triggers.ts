import type { Clock } from '../platform/clock';
import { sqlOf, type Orm } from '../platform/orm';
import { evaluateBuffers } from './buffers';
import { upsertSupplierProduct, type SupplierProduct } from './catalog';
import { recordDemand, type DemandRequest } from './demand';
import { loadPurchaseOrders, type PurchaseOrder } from './purchase-orders';
import { mayRelease } from './supplier.repository';

/**
 * Releases the supplier's buffer if demand that just arrived made a rule fire (after it committed, so
 * concurrent arrivals are all counted). A supplier with no rule that could fire now (no minimum, no maximum
 * wait, schedule not due, or paused) is not evaluated: its buffer is not even summed.
 */
async function releaseIfDue(orm: Orm, clock: Clock, supplierId: string): Promise<PurchaseOrder[]> {
  const asOf = clock.now();
  if (!supplierId || !(await mayRelease(sqlOf(orm.em), supplierId, asOf))) return [];
  const ids = await evaluateBuffers(orm, { asOf, supplierId });
  return loadPurchaseOrders(sqlOf(orm.em), ids);
}

/** RecordDemand: buffers the demand, then checks the threshold rules at once rather than at the next tick. */
export async function recordDemandAndRelease(orm: Orm, clock: Clock, demand: DemandRequest): Promise<{ supplierId: string; purchaseOrders: PurchaseOrder[] }> {
  const { supplierId } = await recordDemand(orm, clock, demand);
  return { supplierId, purchaseOrders: await releaseIfDue(orm, clock, supplierId) };
}

/** UpsertSupplierProduct: saves the product; demand that moved into the serving supplier's buffer may fire its rules. */
export async function upsertSupplierProductAndRelease(orm: Orm, clock: Clock, product: SupplierProduct & { currencyCode: string }): Promise<SupplierProduct> {
  const { product: saved, servingSupplierId } = await upsertSupplierProduct(orm, product);
  await releaseIfDue(orm, clock, servingSupplierId);
  return saved;
}

/** EvaluateBuffers: applies the rules as of a time (a planner's release with force) and returns the new POs in number order. */
export async function evaluateBuffersNow(orm: Orm, request: { asOf: Date; supplierId: string; force: boolean; releasedBy: string; releaseReason: string }): Promise<PurchaseOrder[]> {
  const ids = await evaluateBuffers(orm, request);
  const orders = await loadPurchaseOrders(sqlOf(orm.em), ids);
  return orders.sort((a, b) => a.number.localeCompare(b.number));
}
