import type { Clock } from '../platform/clock';
import type { Email, Mailer } from '../platform/mail';
import { sqlOf, type Orm } from '../platform/orm';
import { withSupplierLink } from './purchase-order-email';
import { markSent, purchaseOrderAwaitsSending } from './purchase-order-lifecycle';
import { supplierLink, type SupplierLinks } from './supplier-links';

/**
 * Delivers a PO email (outbox topic procurement.send-purchase-order): the mailer sends it, with the link to
 * the supplier's page of the PO, under a Message-ID stable across retries, and only once the SMTP server
 * accepted it is the PO marked SENT. A failure throws, so the outbox retries with backoff; a PO cancelled
 * before its email went out is not sent.
 */
export function purchaseOrderDelivery(orm: Orm, clock: Clock, mailer: Mailer, links: SupplierLinks) {
  return async (payload: { purchaseOrderId: string; email: Email }, key: string): Promise<void> => {
    if (!(await purchaseOrderAwaitsSending(orm, payload.purchaseOrderId))) return;
    const url = await supplierLink(sqlOf(orm.em), links, payload.purchaseOrderId, clock.now());
    await mailer.send(withSupplierLink(payload.email, url), key);
    await markSent(orm, clock, payload.purchaseOrderId);
  };
}
