import { Amount } from '../platform/money';
import { transaction, type Orm, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { uuidv7 } from '../platform/uuidv7';
import type { SupplierProduct } from './catalog';
import { findSupplierProducts } from './supplier-product.repository';
import { addDays } from './lead-times';
import { purchaseOrderEmail } from './purchase-order-email';
import { RELEASED_STATUS } from './purchase-order-lifecycle';
import { orderQuantity, releaseTrigger, type BufferPolicy, type BufferTotals, type ReleaseTrigger } from './release-rules';
import { nextReleaseTime } from './schedule';
import { findBufferTotals, takeBufferedDemand } from './buffer.repository';
import { insertPurchaseOrderDemand, insertPurchaseOrderLines, insertPurchaseOrders, nextPurchaseOrderNumbers } from './purchase-order.repository';
import { lockSuppliers, moveNextReleaseTimes } from './supplier.repository';
import type { Supplier } from './suppliers';
import { message, type OutboxMessage } from '../platform/topics';
import { SEND_PURCHASE_ORDER, REFRESH_ETAS } from './topics';

/** A supplier's release rules in the form the pure rules take. */
function rulesOf(supplier: Supplier): BufferPolicy {
  return { ...supplier.policy, minValue: Amount.parse(supplier.policy.minValue, supplier.currencyCode) };
}

/** The buffer totals of each supplier (empty ones too), valued in its currency, in the caller's transaction. */
async function bufferTotals(sql: Sql, suppliers: Supplier[]): Promise<Map<string, BufferTotals>> {
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
 * for a manual release) is kept on the POs.
 */
export function releaseBuffers(orm: Orm, supplierIds: string[], asOf: Date, force: boolean, releasedBy?: string): Promise<string[]> {
  return transaction(orm, async (sql) => {
    const suppliers = await lockSuppliers(sql, supplierIds);
    const totals = await bufferTotals(sql, suppliers);
    const moved = suppliers.filter((s) => !s.policy.paused && s.nextReleaseTime.getTime() <= asOf.getTime());
    await moveNextReleaseTimes(sql, moved.map((s) => ({ supplierId: s.supplierId, next: nextReleaseTime(s.policy.releaseSchedule, s.timeZone, asOf) })));
    const releases = suppliers
      .map((supplier) => ({ supplier, trigger: releaseTrigger(rulesOf(supplier), totals.get(supplier.supplierId)!, supplier.nextReleaseTime, asOf, force) }))
      .filter((r): r is { supplier: Supplier; trigger: ReleaseTrigger } => r.trigger !== null);
    if (releases.length === 0) return [];
    return createPurchaseOrders(sql, releases, asOf, releasedBy);
  });
}

/** Moves each releasing supplier's whole buffer onto a new PO (lines rounded to MOQ and packs) and queues the emails. */
async function createPurchaseOrders(sql: Sql, releases: { supplier: Supplier; trigger: ReleaseTrigger }[], asOf: Date, releasedBy: string | undefined): Promise<string[]> {
  const taken = await takeBufferedDemand(sql, releases.map((r) => r.supplier.supplierId));
  const demanded = new Map<string, Map<string, number>>();
  for (const d of taken) {
    const perSku = demanded.get(d.supplierId) ?? new Map<string, number>();
    perSku.set(d.sku, (perSku.get(d.sku) ?? 0) + d.quantity);
    demanded.set(d.supplierId, perSku);
  }
  const pairs = [...demanded].flatMap(([supplierId, perSku]) => [...perSku.keys()].map((sku) => [supplierId, sku]));
  const products = await findSupplierProducts(sql, pairs as [string, string][]);
  const productsOf = new Map<string, SupplierProduct[]>();
  for (const p of products) productsOf.set(p.supplierId, [...(productsOf.get(p.supplierId) ?? []), p]);
  const released = releases.filter((r) => demanded.has(r.supplier.supplierId));
  const numbers = await nextPurchaseOrderNumbers(sql, released.length);
  const orders = released.map(({ supplier, trigger }, i) => ({
    purchaseOrderId: uuidv7(),
    number: `PO-${asOf.getUTCFullYear()}-${numbers[i].padStart(6, '0')}`,
    supplier,
    trigger,
    requestedDeliveryTime: addDays(asOf, supplier.quotedLeadTimeDays),
    lines: productsOf.get(supplier.supplierId)!.map((p) => {
      const demand = demanded.get(supplier.supplierId)!.get(p.sku)!;
      return { ...p, demandedQuantity: demand, quantity: orderQuantity(demand, p) };
    }),
  }));
  const orderOf = new Map(orders.map((o) => [o.supplier.supplierId, o.purchaseOrderId]));
  const lines = orders.flatMap((o) => o.lines.map((l) => ({ ...l, purchaseOrderId: o.purchaseOrderId })));

  await insertPurchaseOrders(
    sql,
    orders.map((o) => ({ ...o, supplierId: o.supplier.supplierId, status: RELEASED_STATUS, currencyCode: o.supplier.currencyCode })),
    asOf,
    releasedBy,
  );
  await insertPurchaseOrderLines(sql, lines);
  await insertPurchaseOrderDemand(sql, taken.map((d) => ({ ...d, purchaseOrderId: orderOf.get(d.supplierId)! })));
  await enqueue(sql, 'procurement', orders.flatMap((o) => releaseMessages(o)));
  return orders.map((o) => o.purchaseOrderId);
}

/** A released PO's email to the supplier and, per SKU, the forecast change Orders must hear about. */
function releaseMessages(order: { purchaseOrderId: string; number: string; supplier: Supplier; requestedDeliveryTime: Date; lines: (SupplierProduct & { quantity: number })[] }): OutboxMessage[] {
  const { supplier, purchaseOrderId } = order;
  const email = purchaseOrderEmail({
    number: order.number,
    supplierName: supplier.name,
    supplierEmail: supplier.email,
    timeZone: supplier.timeZone,
    currencyCode: supplier.currencyCode,
    requestedDeliveryTime: order.requestedDeliveryTime,
    lines: order.lines.map((l) => ({ sku: l.sku, supplierSku: l.supplierSku, quantity: l.quantity, unitCost: Amount.parse(l.unitCost, supplier.currencyCode) })),
  });
  return [
    message(SEND_PURCHASE_ORDER, `purchase-order-email:${purchaseOrderId}`, { purchaseOrderId, email }),
    ...order.lines.map((l) => message(REFRESH_ETAS, `refresh-etas:${l.sku}:released:${purchaseOrderId}`, { skus: [l.sku] })),
  ];
}
