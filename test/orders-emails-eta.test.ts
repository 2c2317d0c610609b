import { EtaSource, FulfillmentPolicy } from '../src/gen/restock/orders/v1/order';
import { startTestApp, type TestApp } from './support/harness';
import { sendEtaNews } from '../src/orders/eta-news';
import { order, ordersDeps, outbox, product, settleAll } from './support/fixtures';
import { seedSupplier, TestClock } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// The ETA a customer is told, from the first email on, through the real services and a real SMTP server.
const DAY = 86_400_000;
const clock = new TestClock(new Date('2026-03-02T08:00:00Z')); // a Monday; suppliers release Mondays 10:00 Berlin = 09:00 UTC
const NEXT_RELEASE = Date.parse('2026-03-02T09:00:00Z');
let t: TestApp;
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({
    background: false,
    clock,
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'Restock Purchasing <purchasing@restock.test>', CUSTOMER_MAIL_FROM: 'Restock Shop <shop@restock.test>' },
  });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const after = (from: number, days: number) => new Date(from + Math.round(days * DAY));
const day = (time: Date) => time.toISOString().slice(0, 10);

describe('the confirmation email', () => {
  it('names each product with its SKU, what ships now, what is backordered and when it is expected; the line keeps that ETA', async () => {
    await product(t, 'EM-MUG', { onHand: 2 });
    await product(t, 'EM-CUP', { onHand: 5 });
    await seedSupplier(t, 'EMS', { releaseSchedule: '0 10 * * 1' }, [{ sku: 'EM-MUG' }]);
    const quoted = await t.orders.quoteAvailability({ sku: 'EM-MUG', quantity: 5, customerId: 'mia' });

    const { order: placed } = await order(t, [['EM-MUG', 5], ['EM-CUP', 1]], { customer: 'mia' });
    const expected = after(NEXT_RELEASE, 7); // the buffer's next release plus the 7 days quoted
    const line = placed!.lines[0];
    expect(line.eta).toEqual({ expectedTime: expected, latestTime: expected, source: EtaSource.ETA_SOURCE_BUFFER, purchaseOrderId: '' });
    expect(line.eta).toEqual(quoted.eta); // what the storefront quoted is what the order says
    await settleAll(t);

    const [mail, ...more] = smtp.to('mia@example.com');
    expect(more).toEqual([]);
    expect(mail.from?.value[0].address).toBe('shop@restock.test'); // customer service, not purchasing
    expect(mail.subject).toBe(`Order ${placed!.orderId} confirmed`);
    expect(mail.text).toContain(`Product EM-MUG (SKU EM-MUG) | 5 ordered | 2 shipping now | 3 backordered | expected on ${day(expected)}`);
    expect(mail.text).toContain('Product EM-CUP (SKU EM-CUP) | 1 ordered | 1 shipping now');
    expect(mail.html).toContain(`<td>Product EM-MUG (SKU EM-MUG)</td><td>5 ordered</td><td>2 shipping now</td><td>3 backordered</td><td>expected on ${day(expected)}</td>`);

    // the demand reached the buffer and Procurement asked Orders to refresh: the ETA stands, nothing more is sent
    await t.orders.refreshEtas({ skus: ['EM-MUG'] });
    await settleAll(t);
    expect((await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines[0].eta).toEqual(line.eta);
    expect(smtp.to('mia@example.com')).toHaveLength(1);
  });

  it('gives the range from the expected to the conservative (p90) lead time, and the release now when the order reaches the min quantity', async () => {
    await product(t, 'EM-SEED');
    await product(t, 'EM-BIG');
    await seedSupplier(t, 'EMR', { releaseSchedule: '0 10 * * 1', minQuantity: 4 }, [{ sku: 'EM-SEED' }, { sku: 'EM-BIG' }]);
    // measured lead times of 3 and 13 days against 7 quoted: expected 51/7 days, latest 59/7 (weight 2/7)
    const now = clock.now();
    for (const [i, days] of [3, 13].entries()) {
      const [po] = (await t.procurement.recordDemand({ demandId: `em-seed-${i}`, sku: 'EM-SEED', quantity: 4 })).purchaseOrders; // the min quantity releases it
      await t.app.dispatchers.procurement!.drain();
      const sent = (await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!;
      await t.procurement.receivePurchaseOrder({ receiptId: `em-seed-${i}`, purchaseOrderId: po.purchaseOrderId, receivedTime: new Date(sent.sendTime!.getTime() + days * DAY), lines: [{ sku: 'EM-SEED', quantity: 4 }] });
    }
    await settleAll(t);

    const { order: placed } = await order(t, [['EM-BIG', 4]], { customer: 'max' }); // 4 units reach the min quantity: released at once
    const [earliest, latest] = [after(now.getTime(), 51 / 7), after(now.getTime(), 59 / 7)];
    expect(placed!.lines[0].eta).toMatchObject({ expectedTime: earliest, latestTime: latest, source: EtaSource.ETA_SOURCE_BUFFER });
    await settleAll(t);
    const [mail] = smtp.to('max@example.com');
    expect(mail.text).toContain(`Product EM-BIG (SKU EM-BIG) | 4 ordered | 0 shipping now | 4 backordered | expected between ${day(earliest)} and ${day(latest)}`);
    expect(day(earliest)).not.toBe(day(latest));

    // it was released as quoted: the refreshed ETA is on the PO, at the same dates
    const eta = (await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines[0].eta!;
    expect([eta.source, day(eta.expectedTime!), day(eta.latestTime!)]).toEqual([EtaSource.ETA_SOURCE_PURCHASE_ORDER, day(earliest), day(latest)]);
    expect(smtp.to('max@example.com')).toHaveLength(1);
  });

  it('says the ETA is unknown only when no supplier sells the SKU, and a ship-complete order keeps what is in stock', async () => {
    await product(t, 'EM-ORPHAN', { onHand: 1 });
    const { order: placed } = await order(t, [['EM-ORPHAN', 3]], { customer: 'ola', policy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_COMPLETE });
    await settleAll(t);
    const [mail] = smtp.to('ola@example.com');
    expect(mail.text).toContain('the whole order ships once they arrive');
    expect(mail.text).toContain('Product EM-ORPHAN (SKU EM-ORPHAN) | 3 ordered | 1 in stock, kept for this order | 2 backordered | expected unknown');
    expect(placed!.lines[0].eta?.source).toBe(EtaSource.ETA_SOURCE_UNKNOWN);
  });
});

describe('good ETA news', () => {
  it('tells the customer once when the date becomes known or moves a day earlier, at most once per order per day', async () => {
    clock.set('2026-03-02T08:00:00Z');
    await product(t, 'GN-1');
    await product(t, 'GN-2');
    const { order: placed } = await order(t, [['GN-1', 3], ['GN-2', 1]], { customer: 'gina' }); // nobody sells them yet
    await settleAll(t);
    const orderId = placed!.orderId;
    const goodNews = () => smtp.to('gina@example.com').filter((m) => m.subject === `Order ${orderId}: good news about your backordered items`);
    expect(smtp.to('gina@example.com').map((m) => m.subject)).toEqual([`Order ${orderId} confirmed`]);

    // a supplier now sells both: their buffered demand moves there and the dates become known, told in one email
    await seedSupplier(t, 'GNS', { releaseSchedule: '0 10 * * 1' }, [{ sku: 'GN-1' }, { sku: 'GN-2' }]);
    await settleAll(t);
    await t.orders.refreshEtas({ skus: ['GN-1', 'GN-2'] }); // a retried refresh changes nothing
    await settleAll(t);
    const known = after(NEXT_RELEASE, 7);
    expect(goodNews()).toHaveLength(1);
    expect(goodNews()[0].from?.value[0].address).toBe('shop@restock.test');
    expect(goodNews()[0].text).toContain(`Product GN-1 (SKU GN-1) | 3 backordered | expected on ${day(known)} | before: unknown`);
    expect(goodNews()[0].text).toContain(`Product GN-2 (SKU GN-2) | 1 backordered | expected on ${day(known)} | before: unknown`);
    const keys = async () => (await outbox(t, 'email')).map((r) => r.dedupeKey).filter((key) => key.startsWith('eta-improved:'));
    expect(await keys()).toEqual([`eta-improved:${orderId}:2026-03-02`]);
    await sendEtaNews(ordersDeps(t), { orderId, day: '2026-03-02' }); // a redelivered news message finds nothing untold
    await settleAll(t);
    expect(goodNews()).toHaveLength(1);

    // the same day the supplier promises the goods four days sooner: no second email today
    const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'GNS', force: true })).purchaseOrders;
    const promised = new Date('2026-03-05T12:00:00Z');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: promised, lines: po.lines.map((l) => ({ sku: l.sku, confirmedQuantity: l.quantity })) });
    await settleAll(t);
    expect((await t.orders.getOrder({ orderId })).order!.lines.map((l) => l.eta?.expectedTime)).toEqual([promised, promised]);
    expect(goodNews()).toHaveLength(1);

    // a day later, the next refresh tells what was held back, once
    clock.set('2026-03-03T08:00:00Z');
    await t.orders.refreshEtas({ skus: ['GN-1', 'GN-2'] });
    await t.orders.refreshEtas({ skus: ['GN-1', 'GN-2'] });
    await settleAll(t);
    expect(goodNews()).toHaveLength(2);
    expect(goodNews()[1].text).toContain(`Product GN-1 (SKU GN-1) | 3 backordered | expected on ${day(promised)} | before: ${day(known)}`);
    expect(goodNews()[1].text).toContain(`Product GN-2 (SKU GN-2) | 1 backordered | expected on ${day(promised)} | before: ${day(known)}`);
    expect(await keys()).toEqual([`eta-improved:${orderId}:2026-03-02`, `eta-improved:${orderId}:2026-03-03`]);
    expect(smtp.to('gina@example.com').filter((m) => /delayed/.test(m.subject ?? ''))).toEqual([]);
  });
});
