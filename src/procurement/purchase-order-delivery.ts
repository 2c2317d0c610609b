import type { Clock } from '../platform/clock';
import type { Mailer } from '../platform/mail';
import { sqlOf, type Orm } from '../platform/orm';
import { recordEmailSent } from './purchase-order-email.repository';
import { emailToSend, type EmailRequest, type EmailSettings } from './purchase-order-emails';
import { markSent, purchaseOrderAwaitsSending } from './purchase-order-lifecycle';

/**
 * Delivers an email about a PO (outbox topic procurement.send-purchase-order): composed once and logged under
 * the message's key (emailToSend), sent by the mailer under a Message-ID stable across retries, and once the
 * SMTP server accepted it, its send time is logged and, for the PO itself, the PO is marked SENT. A failure
 * throws, so the outbox retries with backoff; a PO cancelled before its email went out is not sent.
 */
export function purchaseOrderDelivery(orm: Orm, clock: Clock, mailer: Mailer, settings: EmailSettings) {
  return async (payload: Partial<EmailRequest> & { purchaseOrderId: string }, key: string): Promise<void> => {
    const request: EmailRequest = { ...payload, kind: payload.kind ?? 'ORDER' };
    if (request.kind === 'ORDER' && !(await purchaseOrderAwaitsSending(orm, request.purchaseOrderId))) return;
    const email = await emailToSend(orm, clock, settings, request, key);
    if (!email) return;
    if (!email.sendTime) {
      const { to, replyTo, subject, text, html, attachments } = email;
      await mailer.send({ to, replyTo, subject, text, html, attachments }, key);
      await recordEmailSent(sqlOf(orm.em.fork()), email.emailId, clock.now());
    }
    if (request.kind === 'ORDER') await markSent(orm, clock, request.purchaseOrderId);
  };
}
