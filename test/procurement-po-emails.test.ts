import { status } from '@grpc/grpc-js';
import type { AddressObject, ParsedMail } from 'mailparser';
import { PurchaseOrderEmailKind, PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { sqlOf } from '../src/platform/orm';
import { openSupplierLink } from '../src/procurement/supplier-links';
import { grpcError, startTestApp, waitFor, type TestApp } from './support/harness';
import { seedSupplier, supplierOf, TestClock } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Every email about a PO is composed once, logged as sent, and carries Reply-To, ship-to, buyer contact and the supplier's link.
const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
const REPLY_TO = 'Purchasing desk <purchasing@buyer.example>';
const SHIP_TO = 'Restock Warehouse, Dock 4, 12 Harbour Road, Hamburg';
const BUYER = 'Jo Buyer, jo@buyer.example, +49 40 1234';
let t: TestApp;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({
    background: false,
    clock,
    env: { SMTP_URL: smtp.url, PURCHASING_REPLY_TO: REPLY_TO, SHIP_TO_ADDRESS: SHIP_TO, BUYER_CONTACT: BUYER },
  });
});
afterEach(() => {
  smtp.down = false;
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const drain = () => t.app.dispatchers.procurement!.drain();
const mailsFor = (number: string) => smtp.messages.filter((m) => m.subject?.includes(number));
const addressOf = (mail: ParsedMail, header: 'to' | 'replyTo') => (mail[header] as AddressObject).value[0].address;
const links = () => ({ links: t.app.links, ttlDays: 60 });
/** The token of the supplier link in an email's text. */
const tokenIn = (text: string) => /\/supplier\/purchase-orders\/([\w.-]+)\n/.exec(text)?.[1];
const openLink = (token: string) => openSupplierLink(sqlOf(t.app.orms.procurement!.em.fork()), links(), token, clock.now());

async function releasedPurchaseOrder(supplierId: string) {
  await seedSupplier(t, supplierId, {}, [{ sku: `${supplierId}-BOLT`, cents: 125 }]);
  await t.procurement.recordDemand({ demandId: `${supplierId}-d1`, sku: `${supplierId}-BOLT`, quantity: 12 });
  const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId, force: true });
  return purchaseOrders[0];
}

describe('the PO email', () => {
  it('names the ship-to address and the buyer contact, replies go to purchasing, and the link opens the PO', async () => {
    const po = await releasedPurchaseOrder('LOG');
    await drain();
    const [mail] = mailsFor(po.number);
    expect(addressOf(mail, 'to')).toBe('orders@log.example');
    expect(addressOf(mail, 'replyTo')).toBe('purchasing@buyer.example');
    expect(mail.text).toContain(`Ship to: ${SHIP_TO}`);
    expect(mail.text).toContain(`Questions about this order: ${BUYER}`);
    expect(mail.html).toContain('Ship to: <strong>Restock Warehouse, Dock 4, 12 Harbour Road, Hamburg</strong>');
    const token = tokenIn(mail.text as string)!;
    expect(await openLink(token)).toMatchObject({ purchaseOrderId: po.purchaseOrderId, supplierId: 'LOG', generation: 1 });

    // the log holds exactly what was sent
    const { emails } = await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId });
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      purchaseOrderId: po.purchaseOrderId,
      kind: PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_ORDER,
      to: 'orders@log.example',
      replyTo: REPLY_TO,
      subject: mail.subject,
      html: mail.html,
      createTime: clock.now(),
      sendTime: clock.now(),
      requestedBy: '',
      reason: '',
    });
    expect(emails[0].text.trim()).toBe((mail.text as string).trim());
    await drain();
    expect(mailsFor(po.number)).toHaveLength(1);
  });

  it('sends the email composed on the first attempt on every retry, and logs its send time only once SMTP accepted it', async () => {
    smtp.down = true;
    const po = await releasedPurchaseOrder('RETRY');
    await drain();
    const [pending] = (await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId })).emails;
    expect(pending.sendTime).toBeUndefined();
    // the supplier's address changes meanwhile: the logged email is the one that goes out (a resend reaches the new one)
    await t.procurement.upsertSupplier({ supplier: { ...supplierOf('RETRY'), email: 'new@retry.example' } });
    smtp.down = false;
    clock.set('2026-03-02T08:05:00Z');
    await waitFor(async () => {
      await drain();
      return mailsFor(po.number).length > 0;
    }, { what: 'the PO email after the outage' });
    const { emails } = await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId });
    expect(emails.map((e) => [e.emailId, e.to, e.sendTime])).toEqual([[pending.emailId, 'orders@retry.example', new Date('2026-03-02T08:05:00Z')]]);
    expect(addressOf(mailsFor(po.number)[0], 'to')).toBe('orders@retry.example');
    expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT);
  });
});

describe('ResendPurchaseOrder', () => {
  it('sends the PO again to the supplier\'s new address, audited, once per request id, revoking the earlier link', async () => {
    clock.set('2026-03-02T09:00:00Z');
    const po = await releasedPurchaseOrder('MOVED');
    await drain();
    const oldToken = tokenIn(mailsFor(po.number)[0].text as string)!;
    await t.procurement.upsertSupplier({ supplier: { ...supplierOf('MOVED'), email: 'purchasing@moved.example' } });

    clock.set('2026-03-03T10:00:00Z');
    const planner = t.clientsAs({ sub: 'planner-ann', roles: ['planner'] });
    const request = { purchaseOrderId: po.purchaseOrderId, reason: 'supplier moved to a new mailbox', requestId: 'resend-moved-1', revokeEarlierLinks: true };
    const { email } = await planner.procurement.resendPurchaseOrder(request);
    expect(email).toMatchObject({
      kind: PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_RESEND,
      to: 'purchasing@moved.example',
      replyTo: REPLY_TO,
      subject: `Purchase order ${po.number} (sent again)`,
      requestedBy: 'planner-ann',
      reason: 'supplier moved to a new mailbox',
      createTime: new Date('2026-03-03T10:00:00Z'),
    });
    expect(email!.sendTime).toBeUndefined();
    // a retry of the request answers the same email and queues nothing more; the same id for another request is refused
    expect((await planner.procurement.resendPurchaseOrder(request)).email).toEqual(email);
    const reused = await grpcError(planner.procurement.resendPurchaseOrder({ ...request, reason: 'another reason' }));
    expect(reused.code).toBe(status.ALREADY_EXISTS);

    await drain();
    const resent = smtp.to('purchasing@moved.example', new RegExp(po.number));
    expect(resent).toHaveLength(1);
    expect(resent[0].text).toContain(`Ship to: ${SHIP_TO}`);
    expect(resent[0].attachments.map((a) => a.filename)).toEqual([`${po.number}.csv`]);
    const newToken = tokenIn(resent[0].text as string)!;
    expect(newToken).not.toBe(oldToken);
    expect(await openLink(newToken)).toMatchObject({ purchaseOrderId: po.purchaseOrderId, generation: 2 });
    await expect(openLink(oldToken)).rejects.toMatchObject({ reason: 'LINK_REVOKED' });

    const { emails } = await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId });
    expect(emails.map((e) => [e.kind, e.to, e.requestedBy])).toEqual([
      [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_ORDER, 'orders@moved.example', ''],
      [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_RESEND, 'purchasing@moved.example', 'planner-ann'],
    ]);
    expect(emails[1]).toMatchObject({ emailId: email!.emailId, sendTime: new Date('2026-03-03T10:00:00Z') });
    expect(emails[1].text).toContain(newToken);
  });

  it('keeps the earlier link working without revoke_earlier_links', async () => {
    const po = await releasedPurchaseOrder('KEEP');
    await drain();
    const first = tokenIn(mailsFor(po.number)[0].text as string)!;
    await t.procurement.resendPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'lost in spam', requestId: 'resend-keep-1', revokeEarlierLinks: false });
    await drain();
    expect(mailsFor(po.number)).toHaveLength(2);
    expect(await openLink(first)).toMatchObject({ generation: 1 });
    expect(await openLink(tokenIn(mailsFor(po.number)[1].text as string)!)).toMatchObject({ generation: 1 });
  });

  it('needs a reason, refuses a cancelled PO, and logs the cancellation email', async () => {
    const po = await releasedPurchaseOrder('CXL');
    await drain();
    const noReason = await grpcError(t.procurement.resendPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: '  ', requestId: '', revokeEarlierLinks: false }));
    expect(noReason.code).toBe(status.INVALID_ARGUMENT);
    expect(noReason.violations.map((v) => v.field)).toEqual(['reason', 'request_id']);
    const unknown = await grpcError(t.procurement.resendPurchaseOrder({ purchaseOrderId: 'no-such-po', reason: 'x', requestId: 'resend-unknown', revokeEarlierLinks: false }));
    expect(unknown.code).toBe(status.NOT_FOUND);

    await t.procurement.cancelPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'ordered twice' });
    const cancelled = await grpcError(t.procurement.resendPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'again', requestId: 'resend-cxl-1', revokeEarlierLinks: false }));
    expect(cancelled.code).toBe(status.FAILED_PRECONDITION);
    expect(cancelled.reason).toBe('PURCHASE_ORDER_CANCELLED');
    await drain();
    const [notice] = smtp.messages.filter((m) => m.subject === `Cancellation of purchase order ${po.number}`);
    expect(addressOf(notice, 'replyTo')).toBe('purchasing@buyer.example');
    expect(notice.text).toContain('Reason: ordered twice');
    expect(notice.text).toContain(`Questions about this order: ${BUYER}`);
    const { emails } = await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId });
    expect(emails.map((e) => e.kind)).toEqual([PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_ORDER, PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_CANCELLATION]);
    expect(emails[1].sendTime).toBeDefined();
  });
});
