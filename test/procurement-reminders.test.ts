import { PurchaseOrderEmailKind } from '../src/gen/restock/procurement/v1/purchase_order';
import { loadConfig } from '../src/platform/config';
import { purchaseOrderRemindersTask } from '../src/procurement/purchase-order-reminders.task';
import { startTestApp, type TestApp } from './support/harness';
import { seedSupplier, supplierOf, TestClock } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Suppliers are chased on business days of their own time zone: New York here, across a weekend and the start of DST.
// Thursday 2026-03-05 15:00 EST is 20:00 UTC; US clocks go forward on Sunday 2026-03-08, so 15:00 EDT is 19:00 UTC.
const clock = new TestClock(new Date('2026-03-05T20:00:00Z'));
let t: TestApp;
let smtp: TestSmtpServer;
let reminders: () => Promise<void>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url, PURCHASING_REPLY_TO: 'purchasing@buyer.example' } });
  // the task as the module wires it, with the default SUPPLIER_CONFIRM_DAYS (2) and SUPPLIER_REMINDERS (2)
  const defaults = loadConfig({});
  const task = purchaseOrderRemindersTask(t.app.orms.procurement!, clock, '* * * * *', { confirmDays: defaults.SUPPLIER_CONFIRM_DAYS, reminders: defaults.SUPPLIER_REMINDERS });
  reminders = async () => {
    await task.run();
    await t.app.dispatchers.procurement!.drain();
  };
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const drain = () => t.app.dispatchers.procurement!.drain();
const mailsFor = (number: string, subject: RegExp) => smtp.messages.filter((m) => m.subject?.includes(number) && subject.test(m.subject));

/** A PO of a New York supplier, sent now. */
async function sentPurchaseOrder(supplierId: string) {
  await seedSupplier(t, supplierId, {}, [{ sku: `${supplierId}-GEAR`, cents: 900 }]);
  await t.procurement.upsertSupplier({ supplier: { ...supplierOf(supplierId), timeZone: 'America/New_York' } });
  await t.procurement.recordDemand({ demandId: `${supplierId}-d1`, sku: `${supplierId}-GEAR`, quantity: 4 });
  const [po] = (await t.procurement.evaluateBuffers({ supplierId, force: true })).purchaseOrders;
  await drain();
  return po;
}

const get = async (purchaseOrderId: string) => (await t.procurement.getPurchaseOrder({ purchaseOrderId })).purchaseOrder!;
const needingAttention = async () => (await t.procurement.listPurchaseOrders({ needsAttention: true })).purchaseOrders.map((po) => po.number);

describe('reminders to confirm', () => {
  it('reminds after 2 business days in the supplier\'s time zone, twice at most, then the PO needs attention', async () => {
    clock.set('2026-03-05T20:00:00Z');
    const po = await sentPurchaseOrder('NYC');
    const confirmed = await sentPurchaseOrder('NYCOK');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: confirmed.purchaseOrderId, promisedTime: new Date('2026-04-01T12:00:00Z') });
    const reminded = () => mailsFor(po.number, /^Reminder/);

    // Friday, the weekend, and Monday 14:59 in New York: fewer than 2 business days
    for (const time of ['2026-03-06T20:00:00Z', '2026-03-07T20:00:00Z', '2026-03-08T20:00:00Z', '2026-03-09T18:59:00Z']) {
      clock.set(time);
      await reminders();
      expect(reminded()).toHaveLength(0);
    }
    // Monday 15:00 EDT (19:00 UTC after the change to summer time): the first reminder
    clock.set('2026-03-09T19:00:00Z');
    await reminders();
    await reminders(); // a second run (another replica's tick) reminds nobody twice
    expect(reminded()).toHaveLength(1);
    const [mail] = reminded();
    expect(mail.subject).toBe(`Reminder: please confirm purchase order ${po.number}`);
    expect(mail.text).toContain('on 2026-03-05');
    expect(mail.text).toMatch(new RegExp(`/supplier/purchase-orders/${po.purchaseOrderId}\\.1\\.`));
    expect(mail.replyTo?.value[0].address).toBe('purchasing@buyer.example');
    expect(await get(po.purchaseOrderId)).toMatchObject({ reminderCount: 1, needsAttention: false });

    // two business days after the first reminder: Wednesday 15:00 New York
    clock.set('2026-03-11T18:59:00Z');
    await reminders();
    expect(reminded()).toHaveLength(1);
    clock.set('2026-03-11T19:00:00Z');
    await reminders();
    expect(reminded()).toHaveLength(2);
    expect(await get(po.purchaseOrderId)).toMatchObject({ reminderCount: 2, needsAttention: false });
    expect(await needingAttention()).not.toContain(po.number);

    // two business days after the last one (Friday 15:00): no third reminder, a planner should chase it
    clock.set('2026-03-13T19:00:00Z');
    await reminders();
    expect(reminded()).toHaveLength(2);
    expect(await get(po.purchaseOrderId)).toMatchObject({ reminderCount: 2, needsAttention: true });
    expect(await needingAttention()).toEqual([po.number]);

    // the confirmed PO was never reminded
    expect(mailsFor(confirmed.number, /^Reminder/)).toHaveLength(0);
    expect(await get(confirmed.purchaseOrderId)).toMatchObject({ reminderCount: 0, needsAttention: false });
    // the log lists the reminders as sent, and the overdue notice: the requested delivery (sent + 7 days quoted) has passed
    const { emails } = await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId });
    expect(emails.map((e) => [e.kind, e.sendTime])).toEqual([
      [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_ORDER, new Date('2026-03-05T20:00:00Z')],
      [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_CONFIRM_REMINDER, new Date('2026-03-09T19:00:00Z')],
      [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_CONFIRM_REMINDER, new Date('2026-03-11T19:00:00Z')],
      [PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_OVERDUE_REMINDER, new Date('2026-03-13T19:00:00Z')],
    ]);

    // once confirmed it no longer needs attention
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: new Date('2026-04-01T12:00:00Z') });
    expect(await get(po.purchaseOrderId)).toMatchObject({ reminderCount: 2, needsAttention: false });
    expect(await needingAttention()).toEqual([]);
  });
});

describe('overdue reminder', () => {
  it('tells the supplier once when its PO is past the promised date with units still to come', async () => {
    clock.set('2026-04-06T14:00:00Z');
    const po = await sentPurchaseOrder('LATE');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: new Date('2026-04-10T16:00:00Z') });
    const received = await sentPurchaseOrder('ONTIME');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: received.purchaseOrderId, promisedTime: new Date('2026-04-10T16:00:00Z') });
    await t.procurement.receivePurchaseOrder({ receiptId: 'ontime-1', purchaseOrderId: received.purchaseOrderId, lines: [{ sku: 'ONTIME-GEAR', quantity: 4 }] });
    const overdue = () => mailsFor(po.number, /overdue/);

    clock.set('2026-04-10T15:59:00Z');
    await reminders();
    expect(overdue()).toHaveLength(0);
    clock.set('2026-04-10T16:01:00Z');
    await reminders();
    clock.set('2026-04-11T16:01:00Z');
    await reminders();
    expect(overdue()).toHaveLength(1);
    const [mail] = overdue();
    expect(mail.subject).toBe(`Purchase order ${po.number} is overdue`);
    expect(mail.text).toContain('promised for delivery on 2026-04-10');
    expect(mail.text).toContain('S-LATE-GEAR (our SKU LATE-GEAR): 4 still to come');
    expect(mail.text).toMatch(/\/supplier\/purchase-orders\//);
    // a PO received in full is not overdue
    expect(mailsFor(received.number, /overdue/)).toHaveLength(0);
    const { emails } = await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId });
    expect(emails.map((e) => e.kind)).toEqual([PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_ORDER, PurchaseOrderEmailKind.PURCHASE_ORDER_EMAIL_KIND_OVERDUE_REMINDER]);
  });
});
