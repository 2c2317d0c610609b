import { Amount } from '../platform/money';
import { sqlOf, type Orm } from '../platform/orm';
import { findBufferedDemandBySku, findReleaseCandidates } from './buffer.repository';
import { dueCandidates } from './buffers';
import { bufferTotals, decideReleases, demandPairs, planPurchaseOrders, releasing, type PlannedPurchaseOrder } from './release';
import { findSupplierProducts } from './supplier-product.repository';
import { findSupplier, findSuppliersByIds } from './supplier.repository';

/** A PO a release would create, with its total (ordered units at unit cost, in the supplier's currency). */
export type PreviewedPurchaseOrder = PlannedPurchaseOrder & { total: Amount };

/**
 * What EvaluateBuffers at asOf (with force, for a manual release) would release for one supplier or all:
 * the same candidate query, the same decision (decideRelease) and the same rounding (planPurchaseOrders),
 * on the buffers as they are now, with plain reads: nothing is locked, written or queued. NOT_FOUND for an
 * unknown supplier. POs come in supplier id order.
 */
export async function previewRelease(orm: Orm, request: { asOf: Date; supplierId: string; force: boolean }): Promise<PreviewedPurchaseOrder[]> {
  const em = orm.em.fork();
  const sql = sqlOf(em);
  const { asOf, supplierId, force } = request;
  if (supplierId) await findSupplier(em, supplierId);
  const due = dueCandidates(await findReleaseCandidates(sql, supplierId, asOf), asOf, force);
  if (due.length === 0) return [];
  const suppliers = await findSuppliersByIds(sql, due.map((c) => c.supplierId));
  const releases = releasing(decideReleases(suppliers, await bufferTotals(sql, suppliers), asOf, force));
  if (releases.length === 0) return [];
  const demand = await findBufferedDemandBySku(sql, releases.map((r) => r.supplier.supplierId));
  const products = await findSupplierProducts(sql, demandPairs(demand));
  return planPurchaseOrders(releases, demand, products, asOf).map((order) => ({
    ...order,
    total: order.lines.reduce((total, l) => total.plus(Amount.parse(l.unitCost, order.supplier.currencyCode).times(l.quantity)), Amount.zero(order.supplier.currencyCode)),
  }));
}
