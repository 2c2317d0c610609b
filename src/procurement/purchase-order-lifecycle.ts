import type { Clock } from '../platform/clock';
import { failedPrecondition } from '../platform/errors';
import { transaction, type Orm, type Sql } from '../platform/orm';
import { returnDemandToBuffer, type ReturnedDemand } from './demand';
import { refreshEtas } from './eta-refresh';
import { enqueue } from '../platform/outbox';
import { purchaseOrderCancellationEmail } from './purchase-order-email';
import { findSupplier } from './supplier.repository';
import { findPurchaseOrder, type PurchaseOrder, type PurchaseOrderStatus } from './purchase-orders';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';

/** Which status may follow which: the one place that says how a PO moves through its life. */
export const PURCHASE_ORDER_TRANSITIONS: Record<PurchaseOrderStatus, readonly PurchaseOrderStatus[]> = {
  // A supplier may confirm or deliver before our email left (by phone, or while SMTP is down); the email
  // still goes out once, and only its acceptance by SMTP makes an ISSUED PO SENT.
  ISSUED: ['SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  SENT: ['CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  CONFIRMED: ['PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  PARTIALLY_RECEIVED: ['PARTIALLY_RECEIVED', 'RECEIVED'],
  // A late delivery after the PO was complete is still recorded (as surplus).
  RECEIVED: ['RECEIVED'],
  CANCELLED: [],
};

/** Throws FAILED_PRECONDITION unless the table allows a PO in `from` to move to `to`. */
export function assertTransition(order: PurchaseOrder, to: PurchaseOrderStatus): void {
  if (!PURCHASE_ORDER_TRANSITIONS[order.status].includes(to)) {
    throw failedPrecondition('INVALID_PURCHASE_ORDER_TRANSITION', `purchase order ${order.number} is ${order.status} and cannot become ${to}`, {
      purchase_order_id: order.purchaseOrderId,
      status: order.status,
      requested_status: to,
    });
  }
}

/** Records that the SMTP server accepted a PO's email: its send time, and SENT if it was still ISSUED. */
export function markSent(orm: Orm, clock: Clock, purchaseOrderId: string): Promise<void> {
  return transaction(orm, async (sql) => {
    const sent = await sql(
      `UPDATE procurement.purchase_order SET send_time = ?, update_time = now(),
         status = CASE WHEN status = 'ISSUED' THEN 'SENT' ELSE status END
       WHERE purchase_order_id = ? AND send_time IS NULL AND status <> 'CANCELLED' RETURNING purchase_order_id`,
      [clock.now(), purchaseOrderId],
    );
    // The expected arrival now counts from the send time.
    if (sent.length > 0) await refreshEtas(sql, await skusOf(sql, purchaseOrderId), `sent:${purchaseOrderId}`);
  });
}

/** True while the PO's email still has to go out (not sent yet, not cancelled). */
export async function awaitsSending(sql: Sql, purchaseOrderId: string): Promise<boolean> {
  const rows = await sql(
    `SELECT 1 FROM procurement.purchase_order WHERE purchase_order_id = ? AND send_time IS NULL AND status <> 'CANCELLED'`,
    [purchaseOrderId],
  );
  return rows.length > 0;
}

async function skusOf(sql: Sql, purchaseOrderId: string): Promise<string[]> {
  const rows = await sql<{ sku: string }>('SELECT sku FROM procurement.purchase_order_line WHERE purchase_order_id = ?', [purchaseOrderId]);
  return rows.map((r) => r.sku);
}

export interface Confirmation {
  purchaseOrderId: string;
  promisedTime: Date;
  /** Lines not listed are confirmed in full. */
  lines: { sku: string; confirmedQuantity: number }[];
}

/**
 * Records the supplier's promise: delivery time and quantity per line. Demand a line no longer covers
 * (confirmed below what was demanded) goes back to the buffer, newest demand first. Confirming again with
 * the same promise answers the PO unchanged.
 */
export function confirmPurchaseOrder(orm: Orm, confirmation: Confirmation): Promise<PurchaseOrder> {
  return transaction(orm, async (sql) => {
    const order = await findPurchaseOrder(sql, confirmation.purchaseOrderId, true);
    const confirmed = new Map(order.lines.map((l) => [l.sku, l.quantity]));
    for (const line of confirmation.lines) {
      const ordered = confirmed.get(line.sku);
      if (ordered === undefined) throw failedPrecondition('SKU_NOT_ON_PURCHASE_ORDER', `${line.sku} is not on ${order.number}`, { sku: line.sku });
      if (line.confirmedQuantity > ordered) {
        throw failedPrecondition('CONFIRMED_QUANTITY_EXCEEDS_ORDER', `${line.sku}: ${line.confirmedQuantity} confirmed, ${ordered} ordered`, { sku: line.sku });
      }
      confirmed.set(line.sku, line.confirmedQuantity);
    }
    if (order.status === 'CONFIRMED' && order.promisedTime?.getTime() === confirmation.promisedTime.getTime()
      && order.lines.every((l) => l.confirmedQuantity === confirmed.get(l.sku))) {
      return order;
    }
    assertTransition(order, 'CONFIRMED');
    const skus = [...confirmed.keys()];
    await sql(
      `UPDATE procurement.purchase_order_line l SET confirmed_quantity = c.quantity, demanded_quantity = least(l.demanded_quantity, c.quantity)
       FROM unnest(?::text[], ?::int[]) AS c(sku, quantity) WHERE l.purchase_order_id = ? AND l.sku = c.sku`,
      [skus, skus.map((sku) => confirmed.get(sku)!), order.purchaseOrderId],
    );
    const shortfalls = order.lines.filter((l) => confirmed.get(l.sku)! < l.demandedQuantity);
    await returnDemand(sql, order.purchaseOrderId, new Map(shortfalls.map((l) => [l.sku, l.demandedQuantity - confirmed.get(l.sku)!])));
    await sql(`UPDATE procurement.purchase_order SET status = 'CONFIRMED', promised_time = ?, update_time = now() WHERE purchase_order_id = ?`, [
      confirmation.promisedTime,
      order.purchaseOrderId,
    ]);
    await refreshEtas(sql, skus, `confirmed:${order.purchaseOrderId}:${confirmation.promisedTime.toISOString()}`);
    return findPurchaseOrder(sql, order.purchaseOrderId);
  });
}

/**
 * Cancels a PO and puts all the demand it carried back into the buffer; a supplier that already has the PO
 * gets a cancellation email (through the outbox). Cancelling it again answers it unchanged.
 */
export function cancelPurchaseOrder(orm: Orm, purchaseOrderId: string, reason: string): Promise<PurchaseOrder> {
  return transaction(orm, async (sql, em) => {
    const order = await findPurchaseOrder(sql, purchaseOrderId, true);
    if (order.status === 'CANCELLED') return order;
    assertTransition(order, 'CANCELLED');
    await returnDemand(sql, purchaseOrderId, new Map(order.lines.map((l) => [l.sku, Number.MAX_SAFE_INTEGER])));
    await sql(`UPDATE procurement.purchase_order SET status = 'CANCELLED', cancel_reason = ?, update_time = now() WHERE purchase_order_id = ?`, [
      reason,
      purchaseOrderId,
    ]);
    await refreshEtas(sql, order.lines.map((l) => l.sku), `cancelled:${purchaseOrderId}`);
    if (order.sendTime) {
      const supplier = await findSupplier(em, order.supplierId);
      const email = purchaseOrderCancellationEmail({ number: order.number, supplierName: supplier.name, supplierEmail: supplier.email, reason });
      await enqueue(sql, 'procurement', [message(EMAIL, `purchase-order-cancellation:${purchaseOrderId}`, email)]);
    }
    return findPurchaseOrder(sql, purchaseOrderId);
  });
}

/**
 * Takes up to `units` of each SKU's demand off the PO, newest demand first (older demand keeps its place
 * on the PO), and returns it to the buffer. One statement picks the rows with a running sum.
 */
async function returnDemand(sql: Sql, purchaseOrderId: string, units: Map<string, number>): Promise<void> {
  if (units.size === 0) return;
  const returned = await sql<ReturnedDemand & { onOrder: number }>(
    `WITH wanted AS (SELECT * FROM unnest(?::text[], ?::bigint[]) AS w(sku, units)),
     ranked AS (
       SELECT d.demand_id, d.sku, d.quantity, d.demand_time, w.units,
         sum(d.quantity) OVER (PARTITION BY d.sku ORDER BY d.demand_time DESC, d.demand_id DESC) - d.quantity AS newer
       FROM procurement.purchase_order_demand d JOIN wanted w ON w.sku = d.sku
       WHERE d.purchase_order_id = ?),
     taken AS (
       SELECT demand_id, sku, demand_time, least(quantity, units - newer)::int AS quantity, quantity AS on_order
       FROM ranked WHERE newer < units)
     SELECT demand_id AS "demandId", sku, quantity, demand_time AS "demandTime", on_order AS "onOrder" FROM taken`,
    [[...units.keys()], [...units.values()], purchaseOrderId],
  );
  if (returned.length === 0) return;
  const whole = returned.filter((r) => r.quantity === r.onOrder);
  const partial = returned.filter((r) => r.quantity < r.onOrder);
  await sql('DELETE FROM procurement.purchase_order_demand WHERE purchase_order_id = ? AND demand_id = ANY(?)', [purchaseOrderId, whole.map((r) => r.demandId)]);
  await sql(
    `UPDATE procurement.purchase_order_demand d SET quantity = d.quantity - p.quantity
     FROM unnest(?::text[], ?::int[]) AS p(demand_id, quantity) WHERE d.purchase_order_id = ? AND d.demand_id = p.demand_id`,
    [partial.map((r) => r.demandId), partial.map((r) => r.quantity), purchaseOrderId],
  );
  await returnDemandToBuffer(sql, returned);
}
