import type { Clock } from '../platform/clock';
import { failedPrecondition } from '../platform/errors';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { returnDemandToBuffer } from './demand.repository';
import { refreshEtas } from './eta-refresh';
import { enqueue } from '../platform/outbox';
import { recordSupplierAnswer } from './supplier-answers';
import { emailMessage } from './purchase-order-emails';
import { findPurchaseOrder, type PurchaseOrder, type PurchaseOrderStatus } from './purchase-orders';
import {
  awaitsSending, confirmLineQuantities, findPurchaseOrderSkus, lockPurchaseOrderSending, pickDemandToReturn, recordSendTime,
  removePurchaseOrderDemand, updatePurchaseOrderStatus,
} from './purchase-order.repository';

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

/** A PO status change the transition table allowed: the only thing a PO's status is written from. */
export interface StatusChange {
  readonly purchaseOrderId: string;
  readonly from: PurchaseOrderStatus;
  readonly to: PurchaseOrderStatus;
}

/** A released PO starts ISSUED: its email is still to go out. */
export const RELEASED_STATUS: PurchaseOrderStatus = 'ISSUED';

/** The change of a PO to `to`; FAILED_PRECONDITION unless the table allows it from the PO's status. */
export function assertTransition(order: Pick<PurchaseOrder, 'purchaseOrderId' | 'number' | 'status'>, to: PurchaseOrderStatus): StatusChange {
  if (!PURCHASE_ORDER_TRANSITIONS[order.status].includes(to)) {
    throw failedPrecondition('INVALID_PURCHASE_ORDER_TRANSITION', `purchase order ${order.number} is ${order.status} and cannot become ${to}`, {
      purchase_order_id: order.purchaseOrderId,
      status: order.status,
      requested_status: to,
    });
  }
  return { purchaseOrderId: order.purchaseOrderId, from: order.status, to };
}

/**
 * Records that the SMTP server accepted a PO's email: its send time, and SENT if it was still ISSUED (a PO
 * the supplier confirmed or delivered meanwhile keeps its status). Nothing for a PO sent or cancelled already.
 */
export function markSent(orm: Orm, clock: Clock, purchaseOrderId: string): Promise<void> {
  return transaction(orm, async (sql) => {
    const order = await lockPurchaseOrderSending(sql, purchaseOrderId);
    if (!order || order.sendTime || order.status === 'CANCELLED') return;
    const sendTime = clock.now();
    if (order.status === 'ISSUED') await updatePurchaseOrderStatus(sql, assertTransition(order, 'SENT'), { sendTime });
    else await recordSendTime(sql, purchaseOrderId, sendTime);
    // The expected arrival now counts from the send time.
    await refreshEtas(sql, await findPurchaseOrderSkus(sql, purchaseOrderId), `sent:${purchaseOrderId}`);
  });
}

/** True while the PO's email still has to go out (not sent yet, not cancelled). */
export function purchaseOrderAwaitsSending(orm: Orm, purchaseOrderId: string): Promise<boolean> {
  return awaitsSending(sqlOf(orm.em), purchaseOrderId);
}

export interface Confirmation {
  purchaseOrderId: string;
  promisedTime: Date;
  /** Lines not listed are confirmed in full. */
  lines: { sku: string; confirmedQuantity: number }[];
}

/**
 * Records the supplier's promise: delivery time and quantity per line. Demand a line no longer covers
 * (confirmed below what was demanded) is declined: it goes to the SKU's next supplier, newest demand first
 * (recordSupplierAnswer). Confirming again with the same promise answers the PO unchanged.
 */
export function confirmPurchaseOrder(orm: Orm, clock: Clock, confirmation: Confirmation): Promise<PurchaseOrder> {
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
    const change = assertTransition(order, 'CONFIRMED');
    const skus = [...confirmed.keys()];
    await confirmLineQuantities(sql, order.purchaseOrderId, confirmed);
    const shortfalls = order.lines.filter((l) => confirmed.get(l.sku)! < l.demandedQuantity);
    await recordSupplierAnswer(sql, order, new Map(shortfalls.map((l) => [l.sku, l.demandedQuantity - confirmed.get(l.sku)!])), clock.now());
    await updatePurchaseOrderStatus(sql, change, { promisedTime: confirmation.promisedTime });
    await refreshEtas(sql, skus, `confirmed:${order.purchaseOrderId}:${confirmation.promisedTime.toISOString()}`);
    return findPurchaseOrder(sql, order.purchaseOrderId);
  });
}

/**
 * Cancels a PO and puts all the demand it carried back into the buffer; a supplier that already has the PO
 * gets a cancellation email (through the outbox). Cancelling it again answers it unchanged.
 */
export function cancelPurchaseOrder(orm: Orm, purchaseOrderId: string, reason: string): Promise<PurchaseOrder> {
  return transaction(orm, async (sql) => {
    const order = await findPurchaseOrder(sql, purchaseOrderId, true);
    if (order.status === 'CANCELLED') return order;
    const change = assertTransition(order, 'CANCELLED');
    await returnDemand(sql, purchaseOrderId, new Map(order.lines.map((l) => [l.sku, Number.MAX_SAFE_INTEGER])));
    await updatePurchaseOrderStatus(sql, change, { cancelReason: reason });
    await refreshEtas(sql, order.lines.map((l) => l.sku), `cancelled:${purchaseOrderId}`);
    if (order.sendTime) {
      await enqueue(sql, 'procurement', [emailMessage(`purchase-order-cancellation:${purchaseOrderId}`, { purchaseOrderId, kind: 'CANCELLATION' })]);
    }
    return findPurchaseOrder(sql, purchaseOrderId);
  });
}

/** Takes up to `units` of each SKU's demand off the PO, newest demand first, and returns it to the buffer. */
async function returnDemand(sql: Sql, purchaseOrderId: string, units: Map<string, number>): Promise<void> {
  if (units.size === 0) return;
  const returned = await pickDemandToReturn(sql, purchaseOrderId, units);
  if (returned.length === 0) return;
  await removePurchaseOrderDemand(sql, purchaseOrderId, returned);
  await returnDemandToBuffer(sql, returned);
}
