import type { Clock } from '../platform/clock';
import type { Config } from '../platform/config';
import { failedPrecondition } from '../platform/errors';
import { once } from '../platform/idempotency';
import type { Email } from '../platform/mail';
import { enqueue } from '../platform/outbox';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import type { SignedLinks } from '../platform/signed-links';
import { message, type OutboxMessage } from '../platform/topics';
import { uuidv7 } from '../platform/uuidv7';
import {
  confirmReminderEmail, overdueReminderEmail, purchaseOrderCancellationEmail, purchaseOrderEmail, type Correspondence,
} from './purchase-order-email';
import {
  findEmailOfMessage, findPurchaseOrderEmail, findPurchaseOrderEmails, insertPurchaseOrderEmail, type PurchaseOrderEmail, type PurchaseOrderEmailKind,
} from './purchase-order-email.repository';
import { findPurchaseOrder, type PurchaseOrder } from './purchase-orders';
import { findSuppliersByIds } from './supplier.repository';
import { issueSupplierLink, supplierLink, type SupplierLinks } from './supplier-links';
import type { Supplier } from './suppliers';
import { SEND_PURCHASE_ORDER } from './topics';

/** What every PO email takes from the configuration, and how its supplier link is made. */
export interface EmailSettings {
  replyTo: string;
  buyerContact: string;
  shipTo?: string;
  links: SupplierLinks;
}

/** The email settings of a configuration: Reply-To and buyer contact default to MAIL_FROM. */
export function emailSettings(config: Config, links: SignedLinks): EmailSettings {
  return {
    replyTo: config.PURCHASING_REPLY_TO ?? config.MAIL_FROM,
    buyerContact: config.BUYER_CONTACT ?? config.MAIL_FROM,
    shipTo: config.SHIP_TO_ADDRESS,
    links: { links, ttlDays: config.SUPPLIER_LINK_TTL_DAYS },
  };
}

/** What to email about a PO: the outbox payload of SEND_PURCHASE_ORDER. */
export interface EmailRequest {
  purchaseOrderId: string;
  kind: PurchaseOrderEmailKind;
  requestedBy?: string;
  reason?: string;
}

/** The outbox message that has an email about a PO composed and sent, under key. */
export function emailMessage(key: string, request: EmailRequest): OutboxMessage {
  return message(SEND_PURCHASE_ORDER, key, request);
}

/** The outbox key of a released PO's email (one per PO). */
export function orderEmailKey(purchaseOrderId: string): string {
  return `purchase-order-email:${purchaseOrderId}`;
}

/** True when an email of this kind still has a purpose for a PO in its current state. */
function stillWanted(kind: PurchaseOrderEmailKind, order: PurchaseOrder): boolean {
  switch (kind) {
    case 'CANCELLATION':
      return order.status === 'CANCELLED';
    case 'CONFIRM_REMINDER':
      return order.status === 'SENT';
    case 'OVERDUE_REMINDER':
      return order.status !== 'CANCELLED' && order.status !== 'RECEIVED';
    default:
      return order.status !== 'CANCELLED';
  }
}

/** The email of a kind about a PO, to its supplier as it is now, with the link `link` (unset: the PO's current link). */
async function compose(sql: Sql, settings: EmailSettings, request: EmailRequest, now: Date, link?: string): Promise<PurchaseOrderEmail> {
  const order = await findPurchaseOrder(sql, request.purchaseOrderId);
  const [supplier] = await findSuppliersByIds(sql, [order.supplierId]);
  const correspondence: Correspondence = {
    replyTo: settings.replyTo,
    buyerContact: settings.buyerContact,
    shipTo: settings.shipTo,
    link: request.kind === 'CANCELLATION' ? undefined : (link ?? (await supplierLink(sql, settings.links, order.purchaseOrderId, now))),
  };
  const email = emailOf(request.kind, order, supplier, correspondence);
  return {
    emailId: uuidv7(),
    purchaseOrderId: order.purchaseOrderId,
    kind: request.kind,
    to: email.to,
    replyTo: email.replyTo ?? settings.replyTo,
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.attachments ?? [],
    createTime: now,
    sendTime: null,
    requestedBy: request.requestedBy ?? '',
    reason: request.reason ?? '',
  };
}

function emailOf(kind: PurchaseOrderEmailKind, order: PurchaseOrder, supplier: Supplier, correspondence: Correspondence): Email {
  const to = { number: order.number, supplierName: supplier.name, supplierEmail: supplier.email, timeZone: supplier.timeZone };
  switch (kind) {
    case 'CONFIRM_REMINDER':
      return confirmReminderEmail({ ...to, sendTime: order.sendTime ?? order.createTime }, correspondence);
    case 'OVERDUE_REMINDER':
      return overdueReminderEmail({
        ...to,
        dueTime: order.promisedTime ?? order.requestedDeliveryTime,
        promised: order.promisedTime !== null,
        lines: order.lines.map((l) => ({ sku: l.sku, supplierSku: l.supplierSku, remaining: (l.confirmedQuantity ?? l.quantity) - l.receivedQuantity })),
      }, correspondence);
    case 'CANCELLATION':
      return purchaseOrderCancellationEmail({ ...to, reason: order.cancelReason }, correspondence);
    default: {
      const document = { ...to, currencyCode: order.currencyCode, requestedDeliveryTime: order.requestedDeliveryTime, lines: order.lines };
      return purchaseOrderEmail(document, correspondence, kind === 'RESEND');
    }
  }
}

/**
 * The email of the outbox message `key`: the one logged for it already (composed by an earlier attempt, or
 * by ResendPurchaseOrder), else composed now and logged; undefined when the PO's state makes it pointless (a
 * reminder of a PO confirmed meanwhile, anything but the cancellation of a cancelled PO) and none was logged.
 */
export async function emailToSend(orm: Orm, clock: Clock, settings: EmailSettings, request: EmailRequest, key: string): Promise<PurchaseOrderEmail | undefined> {
  return transaction(orm, async (sql) => {
    const order = await findPurchaseOrder(sql, request.purchaseOrderId);
    const logged = await findEmailOfMessage(sql, key);
    if (!stillWanted(request.kind, order)) return logged?.sendTime ? logged : undefined;
    return logged ?? insertPurchaseOrderEmail(sql, key, await compose(sql, settings, request, clock.now()));
  });
}

/** What ResendPurchaseOrder asks. */
export interface Resend {
  purchaseOrderId: string;
  reason: string;
  requestId: string;
  revokeEarlierLinks: boolean;
  requestedBy: string;
}

/**
 * Composes a PO again to its supplier's current address and queues it (kind RESEND, with who asked and why: the
 * log is the audit trail); with revokeEarlierLinks the email carries a new link and every earlier one stops
 * working. A retry with the same request id returns the first email; a cancelled PO is FAILED_PRECONDITION.
 */
export function resendPurchaseOrder(orm: Orm, clock: Clock, settings: EmailSettings, resend: Resend): Promise<PurchaseOrderEmail> {
  return transaction(orm, async (sql) => {
    const apply = async () => {
      const order = await findPurchaseOrder(sql, resend.purchaseOrderId, true);
      if (order.status === 'CANCELLED') {
        throw failedPrecondition('PURCHASE_ORDER_CANCELLED', `purchase order ${order.number} is cancelled and cannot be sent again`, { purchase_order_id: order.purchaseOrderId });
      }
      const now = clock.now();
      const link = resend.revokeEarlierLinks ? await issueSupplierLink(sql, settings.links, order.purchaseOrderId, now) : undefined;
      const request: EmailRequest = { purchaseOrderId: order.purchaseOrderId, kind: 'RESEND', requestedBy: resend.requestedBy, reason: resend.reason };
      const email = await compose(sql, settings, request, now, link);
      const key = `purchase-order-email:${order.purchaseOrderId}:resend:${email.emailId}`;
      await insertPurchaseOrderEmail(sql, key, email);
      await enqueue(sql, 'procurement', [emailMessage(key, request)]);
      return email.emailId;
    };
    const { requestedBy: _who, ...asked } = resend;
    const emailId = await once(sql, 'procurement', 'ResendPurchaseOrder', resend.requestId, asked, apply);
    return (await findPurchaseOrderEmail(sql, emailId))!;
  });
}

/** Every email composed for a PO, oldest first; NOT_FOUND for an unknown PO. */
export async function listPurchaseOrderEmails(orm: Orm, purchaseOrderId: string): Promise<PurchaseOrderEmail[]> {
  const sql = sqlOf(orm.em);
  await findPurchaseOrder(sql, purchaseOrderId);
  return findPurchaseOrderEmails(sql, purchaseOrderId);
}
