import type { Clock } from '../platform/clock';
import type { Email, Mailer } from '../platform/mail';
import type { Orm } from '../platform/orm';
import { markSent, purchaseOrderAwaitsSending } from './purchase-order-lifecycle';

/**
 * Delivers a PO email (outbox topic procurement.send-purchase-order): the mailer sends it with a Message-ID
 * stable across retries, and only once the SMTP server accepted it is the PO marked SENT. A failure throws,
 * so the outbox retries with backoff; a PO cancelled before its email went out is not sent.
 */
export function purchaseOrderDelivery(orm: Orm, clock: Clock, mailer: Mailer) {
  return async (payload: { purchaseOrderId: string; email: Email }, key: string): Promise<void> => {
    if (!(await purchaseOrderAwaitsSending(orm, payload.purchaseOrderId))) return;
    await mailer.send(payload.email, key);
    await markSent(orm, clock, payload.purchaseOrderId);
  };
}
