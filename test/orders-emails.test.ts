import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import type { ServiceDeps } from '../src/platform/service-module';
import { sendStillWaitingUpdates } from '../src/orders/still-waiting';
import { startTestApp, type TestApp } from './support/harness';
import { order, product, settle } from './support/fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

let t: TestApp;
let smtp: TestSmtpServer;
let now = new Date('2026-03-02T09:00:00Z');
const clock = { now: () => now };

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url, MAIL_FROM: 'Restock Purchasing <purchasing@restock.test>', CUSTOMER_MAIL_FROM: 'Restock Shop <shop@restock.test>' } });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

describe('customer emails', () => {
  it('confirms an order naming what is backordered and its ETA, once', async () => {
    await product(t, 'MAIL-A', { onHand: 1 });
    await product(t, 'MAIL-B', { onHand: 5 });
    const { order: placed } = await order(t, [['MAIL-A', 3], ['MAIL-B', 1]], { customer: 'ann', requestId: 'mail-confirm' });
    await order(t, [['MAIL-A', 3], ['MAIL-B', 1]], { customer: 'ann', requestId: 'mail-confirm' }); // a retry sends nothing new
    await settle(t);
    const [mail, ...more] = smtp.to('ann@example.com');
    expect(more).toEqual([]);
    expect(mail.subject).toBe(`Order ${placed!.orderId} confirmed`);
    expect(mail.from?.value[0].address).toBe('shop@restock.test');
    expect(mail.text).toContain('the backordered items follow as soon as they arrive');
    // no supplier sells MAIL-A: the only case the ETA is unknown
    expect(mail.text).toContain('Product MAIL-A (SKU MAIL-A) | 3 ordered | 1 shipping now | 2 backordered | expected unknown');
    expect(mail.text).toContain('Product MAIL-B (SKU MAIL-B) | 1 ordered | 1 shipping now');
    expect(mail.html).toContain('<td>2 backordered</td><td>expected unknown</td>');
  });

  it('tells the customer when a waiting order is ready to ship, then when it shipped with carrier and tracking (escaped)', async () => {
    await product(t, 'MAIL-R');
    const { order: placed } = await order(t, [['MAIL-R', 2]], { customer: 'bob' });
    await t.orders.applyReceipt({ receiptId: 'mail-r-1', sku: 'MAIL-R', quantity: 1 });
    await settle(t);
    expect(smtp.to('bob@example.com').map((m) => m.subject)).toEqual([`Order ${placed!.orderId} confirmed`]);
    await t.orders.applyReceipt({ receiptId: 'mail-r-2', sku: 'MAIL-R', quantity: 1 });
    await settle(t);
    await t.orders.shipOrder({ orderId: placed!.orderId, shipmentId: 'mail-ship', carrier: 'Fast & <Sure>', trackingNumber: 'TRK-42' });
    await t.orders.shipOrder({ orderId: placed!.orderId, shipmentId: 'mail-ship', carrier: 'Fast & <Sure>', trackingNumber: 'TRK-42' });
    await settle(t);
    const [, ready, shipped, ...more] = smtp.to('bob@example.com');
    expect(more).toEqual([]);
    expect(ready.subject).toBe(`Order ${placed!.orderId} is ready to ship`);
    expect(ready.text).toContain('Product MAIL-R (SKU MAIL-R) | 2 reserved');
    expect(shipped.subject).toBe(`Order ${placed!.orderId} has shipped`);
    expect(shipped.text).toContain('Tracking number: TRK-42');
    expect(shipped.text).toContain('with Fast & <Sure>.');
    expect(shipped.html).toContain('with Fast &amp; &lt;Sure&gt;.');
    expect(shipped.html).not.toContain('<Sure>');
  });

  it('confirms a cancellation with the reason, escaped in HTML', async () => {
    await product(t, 'MAIL-C');
    const { order: placed } = await order(t, [['MAIL-C', 4]], { customer: 'cy' });
    await t.orders.cancelOrderLine({ orderId: placed!.orderId, lineId: placed!.lines[0].lineId, quantity: 1, reason: 'need 3 <not 4>' });
    await t.orders.cancelOrder({ orderId: placed!.orderId, reason: 'found it "elsewhere"' });
    await settle(t);
    const [, partial, whole, ...more] = smtp.to('cy@example.com');
    expect(more).toEqual([]);
    expect([partial.subject, whole.subject]).toEqual([`Order ${placed!.orderId}: cancellation`, `Order ${placed!.orderId}: cancellation`]);
    expect(partial.text).toContain(`Part of order ${placed!.orderId} was cancelled.`);
    expect(partial.text).toContain('Reason: need 3 <not 4>');
    expect(partial.html).toContain('Reason: need 3 &lt;not 4&gt;');
    expect(whole.text).toContain(`Order ${placed!.orderId} was cancelled.`);
    expect(whole.text).toContain('Product MAIL-C (SKU MAIL-C) | 3 cancelled');
    expect(whole.html).toContain('Reason: found it &quot;elsewhere&quot;');
  });

  it('sends "still waiting" every 7 days of waiting, once per period', async () => {
    now = new Date('2026-04-01T09:00:00Z');
    await product(t, 'MAIL-W');
    const { order: placed } = await order(t, [['MAIL-W', 1]], { customer: 'dee' });
    const deps = { orm: t.app.orms.orders!, peers: t.app.peers, clock, config: loadConfig({}), log: createLogger('silent'), mailer: t.app.mailer } as ServiceDeps;
    now = new Date('2026-04-07T09:00:00Z');
    await sendStillWaitingUpdates(deps);
    now = new Date('2026-04-08T10:00:00Z');
    await sendStillWaitingUpdates(deps);
    await sendStillWaitingUpdates(deps);
    now = new Date('2026-04-15T10:00:00Z');
    await sendStillWaitingUpdates(deps);
    await settle(t);
    const updates = smtp.to('dee@example.com').filter((m) => m.subject?.includes('still waiting'));
    expect(updates.map((m) => m.subject)).toEqual([`Order ${placed!.orderId}: still waiting for stock`, `Order ${placed!.orderId}: still waiting for stock`]);
    expect(updates[0].text).toContain('Product MAIL-W (SKU MAIL-W) | 1 backordered | expected unknown');
    expect(new Set(updates.map((m) => m.messageId)).size).toBe(2);
  });
});
