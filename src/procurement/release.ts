import { groupBy } from '../platform/collections';
import { Amount } from '../platform/money';
import { transaction, type Orm, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { uuidv7 } from '../platform/uuidv7';
import type { SupplierProduct } from './catalog';
import { findSupplierProducts } from './supplier-product.repository';
import { addDays } from './lead-times';
import { emailMessage, orderEmailKey } from './purchase-order-emails';
import { RELEASED_STATUS } from './purchase-order-lifecycle';
import { decideRelease, purchaseOrderLines, type BufferPolicy, type BufferTotals, type ReleaseDecision, type ReleaseTrigger } from './release-rules';
import { findBufferTotals, takeBufferedDemand } from './buffer.repository';
import { insertPurchaseOrderDemand, insertPurchaseOrderLines, insertPurchaseOrders, nextPurchaseOrderNumbers } from './purchase-order.repository';
import { lockSuppliers, moveNextReleaseTimes } from './supplier.repository';
import type { Supplier } from './suppliers';
import { message, type OutboxMessage } from '../platform/topics';
import { REFRESH_ETAS } from './topics';

/** A supplier's release rules in the form the pure rules take. */
export function rulesOf(supplier: Supplier): BufferPolicy {
  return { ...supplier.policy, minValue: Amount.parse(supplier.policy.minValue, supplier.currencyCode) };
}

/** The buffer totals of each supplier (empty ones too), valued in its currency, in the caller's transaction. */
export async function bufferTotals(sql: Sql, suppliers: Supplier[]): Promise<Map<string, BufferTotals>> {
  const rows = new Map((await findBufferTotals(sql, suppliers.map((s) => s.supplierId))).map((r) => [r.supplierId, r]));
  return new Map(
    suppliers.map(({ supplierId, currencyCode }) => {
      const row = rows.get(supplierId);
      const totals = row ? { ...row, value: Amount.parse(row.value, currencyCode) } : { quantity: 0, value: Amount.zero(currencyCode), oldestDemandTime: null };
      return [supplierId, totals];
    }),
  );
}

/**
 * Releases the buffers of these suppliers whose rules fire as of asOf, in one transaction: their rows are
 * locked in id order (so replicas and concurrent demand arrivals release each buffer once), the rules are
 * checked again on what is buffered now, and each released buffer's demand moves onto a new PO whose email
 * is queued in the outbox — one PO per supplier, written with set-based statements. A due schedule moves
 * on to its next time even when there was nothing to release. Returns the new POs' ids. releasedBy (who asked,
 * for a manual release) and releaseReason (why) are kept on the POs.
 */
export function releaseBuffers(orm: Orm, supplierIds: string[], asOf: Date, force: boolean, releasedBy?: string, releaseReason?: string): Promise<string[]> {
  return transaction(orm, async (sql) => {
    const suppliers = await lockSuppliers(sql, supplierIds);
    const decisions = decideReleases(suppliers, await bufferTotals(sql, suppliers), asOf, force);
    await moveNextReleaseTimes(sql, decisions.filter((d) => d.scheduleMoved).map((d) => ({ supplierId: d.supplier.supplierId, next: d.scheduledTime })));
    const releases = releasing(decisions);
    if (releases.length === 0) return [];
    return createPurchaseOrders(sql, releases, asOf, releasedBy, releaseReason);
  });
}

/** Each supplier's release decision at asOf, on its buffer totals (decideRelease). */
export function decideReleases(suppliers: Supplier[], totals: Map<string, BufferTotals>, asOf: Date, force: boolean): (ReleaseDecision & { supplier: Supplier })[] {
  return suppliers.map((supplier) => ({ supplier, ...decideRelease(rulesOf(supplier), supplier.timeZone, supplier.nextReleaseTime, totals.get(supplier.supplierId)!, asOf, force) }));
}

/** The decisions that release something. */
export function releasing(decisions: (ReleaseDecision & { supplier: Supplier })[]): { supplier: Supplier; trigger: ReleaseTrigger }[] {
  return decisions.filter((d): d is ReleaseDecision & { supplier: Supplier; trigger: ReleaseTrigger } => d.trigger !== null).map(({ supplier, trigger }) => ({ supplier, trigger }));
}

/** A PO a release makes of a supplier's buffered demand, before it has an id and a number. */
export interface PlannedPurchaseOrder {
  supplier: Supplier;
  trigger: ReleaseTrigger;
  requestedDeliveryTime: Date;
  lines: (SupplierProduct & { demandedQuantity: number; quantity: number })[];
}

/**
 * The POs of the releasing suppliers: their demand (rows of supplier, SKU and units) rounded into lines by
 * purchaseOrderLines with their products; a supplier without demand gets none. Pure: the release and the
 * preview both plan with it.
 */
export function planPurchaseOrders(
  releases: { supplier: Supplier; trigger: ReleaseTrigger }[],
  demand: { supplierId: string; sku: string; quantity: number }[],
  products: SupplierProduct[],
  asOf: Date,
): PlannedPurchaseOrder[] {
  const demandOf = groupBy(demand, (d) => d.supplierId);
  const productsOf = groupBy(products, (p) => p.supplierId);
  return releases
    .filter((r) => demandOf.has(r.supplier.supplierId))
    .map(({ supplier, trigger }) => ({
      supplier,
      trigger,
      requestedDeliveryTime: addDays(asOf, supplier.quotedLeadTimeDays),
      lines: purchaseOrderLines(demandOf.get(supplier.supplierId)!, productsOf.get(supplier.supplierId) ?? []),
    }));
}

/** The (supplier, SKU) pairs of some demand, once each. */
export function demandPairs(demand: { supplierId: string; sku: string }[]): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const d of demand) seen.set(`${d.supplierId}\u0000${d.sku}`, [d.supplierId, d.sku]);
  return [...seen.values()];
}

/** Moves each releasing supplier's whole buffer onto a new PO (lines rounded to MOQ and packs) and queues the emails. */
async function createPurchaseOrders(sql: Sql, releases: { supplier: Supplier; trigger: ReleaseTrigger }[], asOf: Date, releasedBy: string | undefined, releaseReason: string | undefined): Promise<string[]> {
  const taken = await takeBufferedDemand(sql, releases.map((r) => r.supplier.supplierId));
  const products = await findSupplierProducts(sql, demandPairs(taken));
  const planned = planPurchaseOrders(releases, taken, products, asOf);
  const numbers = await nextPurchaseOrderNumbers(sql, planned.length);
  const orders = planned.map((order, i) => ({ ...order, purchaseOrderId: uuidv7(), number: `PO-${asOf.getUTCFullYear()}-${numbers[i].padStart(6, '0')}` }));
  const orderOf = new Map(orders.map((o) => [o.supplier.supplierId, o.purchaseOrderId]));
  const lines = orders.flatMap((o) => o.lines.map((l) => ({ ...l, purchaseOrderId: o.purchaseOrderId })));

  await insertPurchaseOrders(
    sql,
    orders.map((o) => ({ ...o, supplierId: o.supplier.supplierId, status: RELEASED_STATUS, currencyCode: o.supplier.currencyCode })),
    asOf,
    releasedBy,
    releaseReason,
  );
  await insertPurchaseOrderLines(sql, lines);
  await insertPurchaseOrderDemand(sql, taken.map((d) => ({ ...d, purchaseOrderId: orderOf.get(d.supplierId)! })));
  await enqueue(sql, 'procurement', orders.flatMap((o) => releaseMessages(o)));
  return orders.map((o) => o.purchaseOrderId);
}

/**
 * A released PO's email to the supplier (composed when it is delivered, from the PO as stored) and, per SKU,
 * the forecast change Orders must hear about.
 */
function releaseMessages(order: { purchaseOrderId: string; lines: { sku: string }[] }): OutboxMessage[] {
  const { purchaseOrderId } = order;
  return [
    emailMessage(orderEmailKey(purchaseOrderId), { purchaseOrderId, kind: 'ORDER' }),
    ...order.lines.map((l) => message(REFRESH_ETAS, `refresh-etas:${l.sku}:released:${purchaseOrderId}`, { skus: [l.sku] })),
  ];
}
