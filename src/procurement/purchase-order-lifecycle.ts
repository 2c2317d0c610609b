import type { Clock } from '../platform/clock';
import { failedPrecondition, invalidArgument } from '../platform/errors';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { returnDemandToBuffer } from './demand.repository';
import { refreshEtas } from './eta-refresh';
import { enqueue } from '../platform/outbox';
import { recordSupplierAnswer } from './supplier-answers';
import { emailMessage } from './purchase-order-emails';
import { findPurchaseOrder, type PurchaseOrder, type PurchaseOrderLine, type PurchaseOrderStatus } from './purchase-orders';
import { recordRevision, revisedLines, type LineAnswer, type PurchaseOrderRevision, type RevisionChannel } from './purchase-order-revisions';
import {
  awaitsSending, findPurchaseOrderSkus, lockPurchaseOrderSending, pickDemandToReturn, recordLineAnswers, recordSendTime,
  removePurchaseOrderDemand, updatePurchaseOrderStatus,
} from './purchase-order.repository';

/** Which status may follow which: the one place that says how a PO moves through its life. */
export const PURCHASE_ORDER_TRANSITIONS: Record<PurchaseOrderStatus, readonly PurchaseOrderStatus[]> = {
  // A supplier may confirm or deliver before our email left (by phone, or while SMTP is down); the email
  // still goes out once, and only its acceptance by SMTP makes an ISSUED PO SENT.
  ISSUED: ['SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  SENT: ['CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  // Confirming a CONFIRMED PO again is a revision of its dates or quantities; a PARTIALLY_RECEIVED one stays
  // PARTIALLY_RECEIVED when revised, or is RECEIVED once a revision leaves nothing more to come.
  CONFIRMED: ['CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
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

/** A supplier's answer to a PO, given through the API or its link. */
export interface Answer {
  purchaseOrderId: string;
  /** When the lines without a time of their own come; null: each keeps its earlier promise. */
  promisedTime: Date | null;
  /**
   * Units confirmed per line (0 = declined) and, optionally, when they come. Lines not listed keep their
   * confirmed units (on a first confirmation: all ordered units); those still to come take promisedTime when given.
   */
  lines: { sku: string; confirmedQuantity: number; promisedTime: Date | null }[];
  note: string;
  /** Who answered: the caller's token subject, or the supplier's link. */
  revisedBy: string;
  channel: RevisionChannel;
}

/** A PO as an answer left it, and the revision that recorded the answer (null when it changed nothing). */
export interface Answered {
  order: PurchaseOrder;
  revision: PurchaseOrderRevision | null;
}

/** Records the supplier's promise (ConfirmPurchaseOrder): units and date per line; see answerPurchaseOrder. */
export function confirmPurchaseOrder(orm: Orm, clock: Clock, answer: Answer): Promise<Answered> {
  return transaction(orm, async (sql) => answerPurchaseOrder(sql, clock, await findPurchaseOrder(sql, answer.purchaseOrderId, true), answer));
}

/**
 * Records a supplier's answer to a PO locked by the caller's transaction: its first confirmation or a
 * revision of a CONFIRMED or PARTIALLY_RECEIVED PO. Demand a line no longer covers (confirmed below what
 * was demanded) is declined: it goes to the SKU's next supplier, newest demand first (recordSupplierAnswer). Every answer that changes a line is kept as
 * a revision and moves the forecast (and so customers' ETAs); one that changes nothing answers the PO unchanged.
 */
export async function answerPurchaseOrder(sql: Sql, clock: Clock, order: PurchaseOrder, answer: Answer): Promise<Answered> {
  if (order.status === 'CANCELLED' || order.status === 'RECEIVED') {
    const why = order.status === 'CANCELLED' ? 'was cancelled' : 'has been received in full';
    throw failedPrecondition('PURCHASE_ORDER_CLOSED', `purchase order ${order.number} ${why}: it can no longer be confirmed or revised`, {
      purchase_order_id: order.purchaseOrderId,
      status: order.status,
    });
  }
  const answers = lineAnswers(order, answer);
  const lines = revisedLines(order.lines, answers);
  if (lines.length === 0 && order.status !== 'ISSUED' && order.status !== 'SENT') return { order, revision: null };
  const confirmed = new Map([...answers.values()].map((a) => [a.sku, a.confirmedQuantity]));
  const nothingToCome = order.lines.every((l) => l.receivedQuantity >= confirmed.get(l.sku)!);
  const change = assertTransition(order, order.status !== 'PARTIALLY_RECEIVED' ? 'CONFIRMED' : nothingToCome ? 'RECEIVED' : 'PARTIALLY_RECEIVED');
  await recordLineAnswers(sql, order.purchaseOrderId, lines.map((l) => answers.get(l.sku)!));
  const shortfalls = order.lines.filter((l) => confirmed.get(l.sku)! < l.demandedQuantity);
  await recordSupplierAnswer(sql, order, new Map(shortfalls.map((l) => [l.sku, l.demandedQuantity - confirmed.get(l.sku)!])), clock.now());
  await updatePurchaseOrderStatus(sql, change, { promisedTime: latestPromise(order.lines, answers) });
  const revision = await recordRevision(sql, clock, { purchaseOrderId: order.purchaseOrderId, revisedBy: answer.revisedBy, channel: answer.channel, note: answer.note, lines });
  // one refresh per revision: a date moved back to an earlier one still moves the ETAs again
  await refreshEtas(sql, lines.map((l) => l.sku), `confirmed:${order.purchaseOrderId}:${revision.revisionNumber}`);
  return { order: await findPurchaseOrder(sql, order.purchaseOrderId), revision };
}

/**
 * Each line's answer after this one: listed lines as given, the others as before (all ordered units on a
 * first confirmation); a line without a time of its own takes the answer's, else keeps its earlier one.
 * FAILED_PRECONDITION for a SKU not on the PO, more units than ordered or fewer than received;
 * INVALID_ARGUMENT promised_time when a line with units to come would have no date.
 */
function lineAnswers(order: PurchaseOrder, answer: Answer): Map<string, LineAnswer> {
  const answers = new Map<string, LineAnswer>(order.lines.map((l) => {
    const stillToCome = (l.confirmedQuantity ?? l.quantity) > l.receivedQuantity;
    return [l.sku, { sku: l.sku, confirmedQuantity: l.confirmedQuantity ?? l.quantity, promisedTime: (stillToCome ? answer.promisedTime : null) ?? l.promisedTime }];
  }));
  for (const line of answer.lines) {
    const onOrder = order.lines.find((l) => l.sku === line.sku);
    if (!onOrder) throw failedPrecondition('SKU_NOT_ON_PURCHASE_ORDER', `${line.sku} is not on ${order.number}`, { sku: line.sku });
    if (line.confirmedQuantity > onOrder.quantity) {
      throw failedPrecondition('CONFIRMED_QUANTITY_EXCEEDS_ORDER', `${line.sku}: ${line.confirmedQuantity} confirmed, ${onOrder.quantity} ordered`, { sku: line.sku });
    }
    if (line.confirmedQuantity < onOrder.receivedQuantity) {
      throw failedPrecondition('CONFIRMED_BELOW_RECEIVED', `${line.sku}: ${line.confirmedQuantity} confirmed, but ${onOrder.receivedQuantity} were received already`, {
        sku: line.sku,
        received_quantity: String(onOrder.receivedQuantity),
      });
    }
    answers.set(line.sku, { sku: line.sku, confirmedQuantity: line.confirmedQuantity, promisedTime: line.promisedTime ?? answer.promisedTime ?? onOrder.promisedTime });
  }
  for (const a of answers.values()) if (a.confirmedQuantity === 0) a.promisedTime = null;
  const received = new Map(order.lines.map((l) => [l.sku, l.receivedQuantity]));
  const undated = [...answers.values()].filter((a) => a.confirmedQuantity > received.get(a.sku)! && !a.promisedTime).map((a) => a.sku);
  if (undated.length > 0) throw invalidArgument([{ field: 'promised_time', description: `is required: no promised time for ${undated.join(', ')}` }]);
  return answers;
}

/** The PO's promise for code that reads one per PO: the latest of its lines still to come (undefined: keep the earlier one). */
function latestPromise(lines: PurchaseOrderLine[], answers: Map<string, LineAnswer>): Date | undefined {
  const open = lines.map((l) => answers.get(l.sku)!).filter((a, i) => a.confirmedQuantity > lines[i].receivedQuantity && a.promisedTime);
  if (open.length === 0) return undefined;
  return new Date(Math.max(...open.map((a) => a.promisedTime!.getTime())));
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
