import { randomUUID } from 'node:crypto';
import { transaction, type Orm, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { SUPPLIER_PRODUCT_COLUMNS, type SupplierProduct } from './catalog';
import { refreshEtas } from './eta-refresh';
import { addDays } from './lead-times';
import { purchaseOrderEmail } from './purchase-order-email';
import { orderQuantity, releaseTrigger, type BufferTotals, type ReleaseTrigger } from './release-rules';
import { nextReleaseTime } from './schedule';
import { findSupplier, type Supplier } from './suppliers';

/** Outbox topic of a PO email: sent by the mailer, then the PO is marked SENT. */
export const SEND_PURCHASE_ORDER = 'procurement.send-purchase-order';

/** A supplier's release rules in the form the pure rules take. */
export function rulesOf(supplier: Supplier) {
  return { ...supplier.policy, minValueNanos: toNanos(supplier.policy.minValue) };
}

/** A non-negative decimal string as nanos. */
export function toNanos(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole || '0') * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

/** The totals of one supplier's buffer, read in the caller's transaction. */
async function bufferTotals(sql: Sql, supplierId: string): Promise<BufferTotals> {
  const [row] = await sql<{ quantity: number; value: string; oldest: string | null }>(
    `SELECT coalesce(sum(b.quantity), 0)::int AS quantity, coalesce(sum(b.quantity * sp.unit_cost), 0)::text AS value, min(b.demand_time) AS oldest
     FROM procurement.buffered_demand b JOIN procurement.supplier_product sp ON sp.supplier_id = b.supplier_id AND sp.sku = b.sku
     WHERE b.supplier_id = ?`,
    [supplierId],
  );
  return { quantity: row.quantity, valueNanos: toNanos(row.value), oldestDemandTime: row.oldest ? new Date(row.oldest) : null };
}

/**
 * Releases one supplier's buffer if a rule fires as of asOf, in one transaction: the supplier row is
 * locked (so replicas and concurrent demand arrivals release it once), the rules are checked again on
 * what is buffered now, and the demand moves onto a new PO whose email is queued in the outbox. A due
 * schedule moves on to its next time even when there was nothing to release. Returns the new PO's id.
 */
export function releaseBuffer(orm: Orm, supplierId: string, asOf: Date, force: boolean): Promise<string | null> {
  return transaction(orm, async (sql) => {
    const supplier = await findSupplier(sql, supplierId, true);
    const totals = await bufferTotals(sql, supplierId);
    const trigger = releaseTrigger(rulesOf(supplier), totals, supplier.nextReleaseTime, asOf, force);
    if (!supplier.policy.paused && supplier.nextReleaseTime.getTime() <= asOf.getTime()) {
      const next = nextReleaseTime(supplier.policy.releaseSchedule, supplier.timeZone, asOf);
      await sql('UPDATE procurement.supplier SET next_release_time = ? WHERE supplier_id = ?', [next, supplierId]);
    }
    if (!trigger) return null;
    return createPurchaseOrder(sql, supplier, trigger, asOf);
  });
}

interface TakenDemand {
  demandId: string;
  sku: string;
  quantity: number;
  demandTime: string;
}

/** Moves the supplier's whole buffer onto a new PO (lines rounded to MOQ and packs) and queues its email. */
async function createPurchaseOrder(sql: Sql, supplier: Supplier, trigger: ReleaseTrigger, asOf: Date): Promise<string | null> {
  const taken = await sql<TakenDemand>(
    `DELETE FROM procurement.buffered_demand WHERE supplier_id = ?
     RETURNING demand_id AS "demandId", sku, quantity, demand_time AS "demandTime"`,
    [supplier.supplierId],
  );
  if (taken.length === 0) return null;
  const demanded = new Map<string, number>();
  for (const d of taken) demanded.set(d.sku, (demanded.get(d.sku) ?? 0) + d.quantity);
  const products = await sql<SupplierProduct>(
    `SELECT ${SUPPLIER_PRODUCT_COLUMNS} FROM procurement.supplier_product WHERE supplier_id = ? AND sku = ANY(?) ORDER BY sku`,
    [supplier.supplierId, [...demanded.keys()]],
  );
  const lines = products.map((p) => ({ ...p, demandedQuantity: demanded.get(p.sku)!, quantity: orderQuantity(demanded.get(p.sku)!, p) }));

  const [{ seq }] = await sql<{ seq: string }>(`SELECT nextval('procurement.purchase_order_number')::text AS seq`);
  const purchaseOrderId = randomUUID();
  const number = `PO-${asOf.getUTCFullYear()}-${seq.padStart(6, '0')}`;
  const requestedDeliveryTime = addDays(asOf, supplier.quotedLeadTimeDays);
  await sql(
    `INSERT INTO procurement.purchase_order (purchase_order_id, number, supplier_id, status, trigger, currency_code, create_time, requested_delivery_time)
     VALUES (?, ?, ?, 'ISSUED', ?, ?, ?, ?)`,
    [purchaseOrderId, number, supplier.supplierId, trigger, supplier.currencyCode, asOf, requestedDeliveryTime],
  );
  await sql(
    `INSERT INTO procurement.purchase_order_line (purchase_order_id, sku, supplier_sku, quantity, demanded_quantity, unit_cost)
     SELECT ?, * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::numeric[])`,
    [purchaseOrderId, lines.map((l) => l.sku), lines.map((l) => l.supplierSku), lines.map((l) => l.quantity), lines.map((l) => l.demandedQuantity), lines.map((l) => l.unitCost)],
  );
  await sql(
    `INSERT INTO procurement.purchase_order_demand (purchase_order_id, demand_id, sku, quantity, demand_time)
     SELECT ?, * FROM unnest(?::text[], ?::text[], ?::int[], ?::timestamptz[])`,
    [purchaseOrderId, taken.map((d) => d.demandId), taken.map((d) => d.sku), taken.map((d) => d.quantity), taken.map((d) => new Date(d.demandTime))],
  );
  const email = purchaseOrderEmail({
    number,
    supplierName: supplier.name,
    supplierEmail: supplier.email,
    timeZone: supplier.timeZone,
    currencyCode: supplier.currencyCode,
    requestedDeliveryTime,
    lines,
  });
  await enqueue(sql, 'procurement', [{ topic: SEND_PURCHASE_ORDER, key: `purchase-order-email:${purchaseOrderId}`, payload: { purchaseOrderId, email } }]);
  await refreshEtas(sql, [...demanded.keys()], `released:${purchaseOrderId}`);
  return purchaseOrderId;
}
