import type { Browser, Page } from 'puppeteer-core';
import { EtaSource } from '../src/gen/restock/orders/v1/order';
import { PurchaseOrderStatus, RevisionChannel } from '../src/gen/restock/procurement/v1/purchase_order';
import { clickAndWait, mainText, screenshot, signInLink } from './support/browser';
import { order, product, settleAll } from './support/fixtures';
import type { TestApp } from './support/harness';
import { startLinkPagesWorld, type LinkPagesWorld } from './support/link-pages';
import { seedSupplier, TestClock } from './support/procurement-fixtures';
import type { TestSmtpServer } from './support/smtp';

// The supplier's page in a real Chromium: the link comes out of the PO email a real SMTP server received, the
// answer goes through the console's public route to the API, and the customers' ETAs and emails follow it.
const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let world: LinkPagesWorld;
let t: TestApp;
let smtp: TestSmtpServer;
let browser: Browser;
let consoleUrl: string;
beforeAll(async () => {
  world = await startLinkPagesWorld(clock, {
    BUYER_CONTACT: 'Bea Buyer, +49 30 1234567',
    SHIP_TO_ADDRESS: 'Restock Warehouse\nDock 4, Hafenstraße 1\n20457 Hamburg',
  });
  ({ t, smtp, browser, consoleUrl } = world);
}, 120_000);
afterAll(() => world?.stop());

const SKUS = ['SUPA-BOLT', 'SUPA-NUT', 'SUPA-PIN'];

/** A customer order whose three lines wait for stock, and the PO released for them and emailed: its link, from the email. */
async function emailedPurchaseOrder() {
  await seedSupplier(t, 'SUPA', {}, SKUS.map((sku, i) => ({ sku, cents: 100 * (i + 1) })));
  // SUPB sells NUT and PIN too (after SUPA, so SUPA serves them): what SUPA declines becomes SUPB's demand
  await seedSupplier(t, 'SUPB', {}, [{ sku: 'SUPA-NUT' }, { sku: 'SUPA-PIN' }]);
  for (const sku of SKUS) await product(t, sku);
  const { order: placed } = await order(t, [['SUPA-BOLT', 4], ['SUPA-NUT', 6], ['SUPA-PIN', 2]], { customer: 'cora' });
  await settleAll(t);
  const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'SUPA', force: true })).purchaseOrders;
  await settleAll(t);
  const [mail] = smtp.to('orders@supa.example', new RegExp(`Purchase order ${po.number}`));
  const link = new RegExp(`${consoleUrl}/supplier/purchase-orders/\\S+`).exec(mail.text as string)![0];
  return { orderId: placed!.orderId, po, link };
}

async function setValue(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(selector, (input, v) => ((input as unknown as { value: string }).value = v), value);
}

/** Posts the page's form again to another address, with the page's CSRF token and cookie: what a tampered or stale link gets. */
async function postFormTo(page: Page, url: string): Promise<{ status: number; text: string }> {
  const fields = await page.$$eval('form.answer input, form.answer textarea', (inputs) =>
    inputs.map((input) => input as unknown as { name: string; value: string; type: string; checked: boolean }).filter((i) => i.type !== 'checkbox' || i.checked).map((i) => [i.name, i.value]));
  return page.evaluate(async (target, body) => {
    const response = await fetch(target, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return { status: response.status, text: await response.text() };
  }, url, new URLSearchParams(fields as [string, string][]).toString());
}

it('confirms two lines with dates and declines one on the supplier\'s page, which moves the customer\'s ETAs and emails', async () => {
  const { orderId, po, link } = await emailedPurchaseOrder();
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 390, height: 844 }); // a phone

  const opened = await page.goto(link);
  expect(opened!.status()).toBe(200);
  await screenshot(page, 'supplier-page/answer', '1-opened-on-a-phone');
  expect(await page.$eval('h1', (h1) => h1.textContent)).toBe(`Purchase order ${po.number}`);
  const text = await mainText(page);
  expect(text).toContain('For Supplier SUPA · Sent');
  expect(text).toContain('S-SUPA-BOLT SUPA-BOLT 4 1.00 EUR');
  expect(await page.$eval('[data-testid=requested]', (el) => el.textContent)).toBe('2026-03-09 (Europe/Berlin)');
  expect(await page.$eval('[data-testid=buyer]', (el) => el.textContent)).toBe('Bea Buyer, +49 30 1234567');
  expect(await page.$eval('[data-testid=ship-to]', (el) => (el as unknown as { innerText: string }).innerText)).toBe('Restock Warehouse\nDock 4, Hafenstraße 1\n20457 Hamburg');
  // nothing sticks out sideways at phone width; each line's fields are labelled
  expect(await page.$eval('html', (html) => (html as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth <= (html as unknown as { clientWidth: number }).clientWidth)).toBe(true);
  expect(await page.$$eval('form.answer label', (labels) => labels.map((l) => l.textContent))).toEqual(expect.arrayContaining(['Units you will deliver', 'Delivery day', 'Decline this line (we cannot deliver it)']));

  // a confirmed line without a day is refused inline, and nothing is recorded
  await setValue(page, '#date_0', '');
  await clickAndWait(page, 'form.answer button[type=submit]');
  await screenshot(page, 'supplier-page/answer', '2-refused-without-a-day');
  expect(await page.$eval('#error_0', (el) => el.textContent)).toBe('Pick the day these units will be delivered.');
  expect(await page.$eval('#quantity_0', (el) => el.getAttribute('aria-invalid'))).toBe('true');
  expect((await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId })).revisions).toEqual([]);

  // BOLT (line 0) and NUT (line 1) come later than asked, with their own days; PIN (line 2) is declined
  await setValue(page, '#date_0', '2026-03-20');
  await setValue(page, '#quantity_1', '');
  await page.type('#quantity_1', '5');
  await setValue(page, '#date_1', '2026-03-25');
  await page.click('#decline_2');
  await page.type('#note', 'PIN is no longer made.');
  await clickAndWait(page, 'form.answer button[type=submit]');
  await screenshot(page, 'supplier-page/answer', '3-recorded');
  expect(await page.$eval('[data-testid=status]', (el) => el.textContent)).toBe('Confirmed');
  expect(await page.$$eval('[data-testid=revision] li', (items) => items.map((li) => li.textContent))).toEqual([
    'SUPA-BOLT: 4 units for 2026-03-20',
    'SUPA-NUT: 5 units for 2026-03-25',
    'SUPA-PIN: declined',
  ]);

  // the revision as the API keeps it: the link as its author, the days as noon in the supplier's zone (CET)
  const [revision] = (await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId })).revisions;
  expect(revision).toMatchObject({ revisionNumber: 1, revisedBy: `supplier-link:${po.number}#1`, channel: RevisionChannel.REVISION_CHANNEL_SUPPLIER_LINK, note: 'PIN is no longer made.' });
  expect(revision.lines).toEqual([
    { sku: 'SUPA-BOLT', oldConfirmedQuantity: undefined, newConfirmedQuantity: 4, oldPromisedTime: undefined, newPromisedTime: new Date('2026-03-20T11:00:00Z') },
    { sku: 'SUPA-NUT', oldConfirmedQuantity: undefined, newConfirmedQuantity: 5, oldPromisedTime: undefined, newPromisedTime: new Date('2026-03-25T11:00:00Z') },
    { sku: 'SUPA-PIN', oldConfirmedQuantity: undefined, newConfirmedQuantity: 0, oldPromisedTime: undefined, newPromisedTime: undefined },
  ]);

  // Orders moves each waiting line: BOLT and NUT to their own promises (NUT's sixth unit, declined, now comes from
  // SUPB, and earlier), PIN to SUPB's next release; the customer hears of both slipped dates
  await settleAll(t);
  const lines = (await t.orders.getOrder({ orderId })).order!.lines;
  expect(lines.map((l) => [l.sku, l.eta?.source, l.eta?.expectedTime])).toEqual([
    ['SUPA-BOLT', EtaSource.ETA_SOURCE_PURCHASE_ORDER, new Date('2026-03-20T11:00:00Z')],
    ['SUPA-NUT', EtaSource.ETA_SOURCE_PURCHASE_ORDER, new Date('2026-03-25T11:00:00Z')],
    ['SUPA-PIN', EtaSource.ETA_SOURCE_BUFFER, expect.any(Date)],
  ]);
  expect((await t.procurement.getBuffer({ supplierId: 'SUPB' })).buffer!.lines.map((l) => [l.sku, l.quantity])).toEqual([['SUPA-NUT', 1], ['SUPA-PIN', 2]]);
  const delayed = smtp.to('cora@example.com', /is delayed/);
  expect(delayed.map((m) => m.subject)).toEqual(expect.arrayContaining([`Order ${orderId}: Product SUPA-BOLT (SKU SUPA-BOLT) is delayed`, `Order ${orderId}: Product SUPA-NUT (SKU SUPA-NUT) is delayed`]));
  expect(delayed.find((m) => m.subject?.includes('SKU SUPA-BOLT'))!.text).toContain('now expected on 2026-03-20');
  expect(delayed.find((m) => m.subject?.includes('SKU SUPA-NUT'))!.text).toContain('now expected on 2026-03-25');

  // later, the supplier revises NUT's day through the same link: a second revision, with what it was before
  await page.goto(link);
  expect(await page.$eval('#quantity_1', (el) => (el as unknown as { value: string }).value)).toBe('5');
  expect(await page.$eval('#decline_2', (el) => (el as unknown as { checked: boolean }).checked)).toBe(true);
  await setValue(page, '#date_1', '2026-03-27');
  await clickAndWait(page, 'form.answer button[type=submit]');
  await screenshot(page, 'supplier-page/answer', '4-revised');
  expect(await page.$$eval('[data-testid=revision] li', (items) => items.map((li) => li.textContent))).toEqual([
    'SUPA-NUT: 5 units for 2026-03-27 (was 5 units for 2026-03-25)',
  ]);
  const revised = (await t.procurement.getPurchaseOrder({ number: po.number })).purchaseOrder!;
  expect([revised.status, revised.revisionCount]).toEqual([PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED, 1]);
  expect(revised.lines.map((l) => l.promisedTime)).toEqual([new Date('2026-03-20T11:00:00Z'), new Date('2026-03-27T11:00:00Z'), undefined]);
  await context.close();

  // planners see both answers on the PO's timeline in the console
  const planners = await browser.createBrowserContext();
  const consolePage = await planners.newPage();
  await consolePage.goto(await signInLink(t.dataDir, t.app.consolePort!));
  await consolePage.goto(`${consoleUrl}/purchase-orders/${po.purchaseOrderId}`);
  await screenshot(consolePage, 'supplier-page/answer', '5-console-timeline');
  const steps = await consolePage.$$eval('ol.timeline li', (items) => items.map((li) => li.textContent!.replace(/\s+/g, ' ')));
  expect(steps).toEqual(expect.arrayContaining([
    expect.stringContaining(`Confirmed by supplier-link:${po.number}#1 on the supplier's page: SUPA-BOLT 4 for 2026-03-20, SUPA-NUT 5 for 2026-03-25, SUPA-PIN declined (“PIN is no longer made.”)`),
    expect.stringContaining(`Revised (1) by supplier-link:${po.number}#1 on the supplier's page: SUPA-NUT 5 for 2026-03-27`),
  ]));
  await planners.close();
});

it('refuses a tampered link (403), an expired or a revoked one (410) with a clear page, and changes nothing', async () => {
  // a second order of the same SKUs, and its own PO
  const { po, link } = await emailedPurchaseOrder();
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.goto(link);
  const before = (await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!;

  // one character of the signature changed
  const tampered = link.replace(/.(.{10})$/, (_, rest: string) => `${link.at(-11) === 'A' ? 'B' : 'A'}${rest}`);
  const refused = await page.goto(tampered);
  expect(refused!.status()).toBe(403);
  expect(refused!.headers()['cache-control']).toBe('no-store'); // else the browser may show a refusal again once it no longer holds
  await screenshot(page, 'supplier-page/refusals', '1-tampered');
  expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('This link is not valid');
  expect(await page.$('form')).toBeNull();
  // an answer posted to it is refused too (the form's token is bound to the link it was shown for)
  await page.goto(link);
  expect((await postFormTo(page, tampered)).status).toBe(403);

  // a post that did not come from the page (no CSRF token, no cookie) is refused before anything is read
  const forged = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'quantity_0=0&decline_0=yes' });
  expect(forged.status).toBe(403);

  // 60 days after it was sent (SUPPLIER_LINK_TTL_DAYS), the link has expired
  clock.set('2026-05-02T08:00:00Z');
  try {
    const expiredPost = await postFormTo(page, link);
    expect(expiredPost.status).toBe(410);
    const expired = await page.goto(link);
    expect(expired!.status()).toBe(410);
    await screenshot(page, 'supplier-page/refusals', '2-expired');
    expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('This link has expired');
    expect(await mainText(page)).toContain('Ask the buyer to send the purchase order again; nothing was changed.');
  } finally {
    clock.set('2026-03-02T08:00:00Z');
  }

  // sent again with a new link: the old one is revoked (410), the new one opens the PO
  await t.procurement.resendPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'lost the email', requestId: 'resend-refusals', revokeEarlierLinks: true });
  await settleAll(t);
  const revoked = await page.goto(link);
  expect(revoked!.status()).toBe(410);
  expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('This link was replaced');
  const resent = smtp.to('orders@supa.example').filter((m) => m.subject?.includes(po.number)).at(-1)!;
  const newLink = new RegExp(`${consoleUrl}/supplier/purchase-orders/\\S+`).exec(resent.text as string)![0];
  expect(newLink).not.toBe(link);
  expect((await page.goto(newLink))!.status()).toBe(200);

  expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder).toEqual(before);
  expect((await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId })).revisions).toEqual([]);
  await context.close();
});

it('limits how often one address may open supplier pages', async () => {
  const guess = `${consoleUrl}/supplier/purchase-orders/00000000-0000-7000-8000-000000000000.1.1900000000.${'A'.repeat(43)}`;
  // 30 a minute (the earlier tests' visits count too): the 31st at the latest is refused without reaching the API
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 31 && !limited; i++) {
    const response = await fetch(guess);
    if (response.status === 429) limited = response;
    else statuses.push(response.status);
  }
  expect(new Set(statuses)).toEqual(new Set([403]));
  expect(limited?.status).toBe(429);
  expect(await limited!.text()).toContain('Too many requests from your address. Wait a minute and try again.');
});
