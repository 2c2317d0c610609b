import type { Browser } from 'puppeteer-core';
import { OrderLineStatus } from '../src/gen/restock/orders/v1/order';
import { customerLink, customerLinksOf } from '../src/orders/customer-links';
import { clickAndWait, mainText, screenshot } from './support/browser';
import { query } from './support/db';
import { order, ordersDeps, product, settleAll } from './support/fixtures';
import type { TestApp } from './support/harness';
import { startLinkPagesWorld, type LinkPagesWorld } from './support/link-pages';
import { seedSupplier, TestClock } from './support/procurement-fixtures';
import type { TestSmtpServer } from './support/smtp';

// The customer's order page in a real Chromium: the link comes out of the order confirmation a real SMTP
// server received; the page shows the order, its ETAs and shipments, and cancels what still waits.
const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let world: LinkPagesWorld;
let t: TestApp;
let smtp: TestSmtpServer;
let browser: Browser;
let consoleUrl: string;
beforeAll(async () => {
  world = await startLinkPagesWorld(clock);
  ({ t, smtp, browser, consoleUrl } = world);
}, 120_000);
afterAll(() => world?.stop());

it('shows the order from the link in its confirmation email, and cancels the waiting items ticked', async () => {
  await product(t, 'CUP-MUG', { onHand: 2 });
  await product(t, 'CUP-LID');
  await product(t, 'CUP-TRAY');
  await seedSupplier(t, 'CUPS', {}, [{ sku: 'CUP-LID' }, { sku: 'CUP-TRAY' }]);
  const { order: placed } = await order(t, [['CUP-MUG', 3], ['CUP-LID', 2], ['CUP-TRAY', 1]], { customer: 'cleo' });
  await settleAll(t);
  await t.orders.shipOrder({ orderId: placed!.orderId, shipmentId: 'cup-ship-1', carrier: 'Parcel & Co', trackingNumber: 'PC-778', estimatedDeliveryTime: new Date('2026-03-04T12:00:00Z') });
  await settleAll(t);
  const [confirmation] = smtp.to('cleo@example.com', /confirmed/);
  expect(confirmation.text).toContain('You can cancel the waiting items at any time on your order page');
  const link = new RegExp(`${consoleUrl}/orders/\\S+`).exec(confirmation.text as string)![0];

  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 390, height: 844 }); // a phone
  expect((await page.goto(link))!.status()).toBe(200);
  await screenshot(page, 'customer-page/order', '1-opened-on-a-phone');
  expect(await page.$eval('h1', (h1) => h1.textContent)).toBe(`Order ${placed!.orderId}`);
  expect(await page.$eval('[data-testid=status]', (el) => el.textContent)).toBe('Partially shipped');
  const rows = await page.$$eval('[data-testid=lines] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent!.trim())));
  // MUG: 2 of 3 in stock and shipped, 1 waiting; LID and TRAY waiting, expected by the supplier's next release plus its lead time
  expect(rows.map((r) => r[7])).toEqual(['Partially shipped', 'Awaiting stock', 'Awaiting stock']);
  expect(rows.map((r) => r.slice(0, 4).concat(r.slice(5, 7)))).toEqual([
    ['Product CUP-MUG (SKU CUP-MUG)', '3', '0', '1', '2', '0'],
    ['Product CUP-LID (SKU CUP-LID)', '2', '0', '2', '0', '0'],
    ['Product CUP-TRAY (SKU CUP-TRAY)', '1', '0', '1', '0', '0'],
  ]);
  for (const row of rows.slice(1)) expect(row[4]).toMatch(/^2026-\d\d-\d\d( to 2026-\d\d-\d\d)?$/);
  expect(await page.$eval('[data-testid=shipments]', (el) => el.textContent!.replace(/\s+/g, ' ').trim()))
    .toBe('2026-03-02: 2 × CUP-MUG with Parcel & Co, tracking number PC-778, expected to arrive 2026-03-04');
  expect(await page.$eval('html', (html) => (html as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth <= (html as unknown as { clientWidth: number }).clientWidth)).toBe(true);

  // nothing ticked: refused inline, nothing cancelled
  await clickAndWait(page, 'form button[type=submit]');
  expect(await page.$eval('[data-testid=form-error]', (el) => el.textContent)).toBe('Tick the waiting items you want to cancel.');
  // MUG's waiting unit and the TRAY are cancelled; the LID keeps waiting
  await page.click('#line_0');
  await page.click('#line_2');
  await clickAndWait(page, 'form button[type=submit]');
  await screenshot(page, 'customer-page/order', '2-cancelled');
  expect(await mainText(page)).toContain('The waiting items you chose are cancelled');
  const after = (await t.orders.getOrder({ orderId: placed!.orderId })).order!;
  expect(after.lines.map((l) => [l.sku, l.shippedQuantity, l.backorderedQuantity, l.cancelledQuantity, l.status])).toEqual([
    ['CUP-MUG', 2, 0, 1, OrderLineStatus.ORDER_LINE_STATUS_SHIPPED],
    ['CUP-LID', 0, 2, 0, OrderLineStatus.ORDER_LINE_STATUS_AWAITING_STOCK],
    ['CUP-TRAY', 0, 0, 1, OrderLineStatus.ORDER_LINE_STATUS_CANCELLED],
  ]);
  expect(await page.$$eval('form input[name=line]', (boxes) => boxes.length)).toBe(1);
  await settleAll(t);
  const [notice] = smtp.to('cleo@example.com', /cancellation/);
  expect(notice.text).toContain('Product CUP-MUG (SKU CUP-MUG) | 1 cancelled');
  expect(notice.text).toContain('Product CUP-TRAY (SKU CUP-TRAY) | 1 cancelled');
  // the cancellation is the link's doing, kept with its reason
  const kept = await query<{ cancelledBy: string; reason: string }>(t.databaseUrl, 'SELECT DISTINCT cancelled_by, reason FROM orders.cancellation WHERE order_id = $1', [placed!.orderId]);
  expect(kept).toEqual([{ cancelledBy: `customer-link:${placed!.orderId}#1`, reason: 'cancelled by the customer on the order page' }]);
  await context.close();
});

it('refuses a tampered link (403) and an expired one (410) with a page that shows nothing of the order', async () => {
  await product(t, 'CUP-BOWL');
  const { order: placed } = await order(t, [['CUP-BOWL', 1]], { customer: 'dora' });
  const fresh = customerLink(customerLinksOf(ordersDeps(t)), placed!, clock.now());
  const expired = customerLink(customerLinksOf(ordersDeps(t)), placed!, new Date(clock.now().getTime() - 91 * 86_400_000));
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const tampered = fresh.replace(/\.1\.(\d+)\./, (_, expiry: string) => `.1.${Number(expiry) + 86_400}.`);
  const refusedTampered = await page.goto(tampered);
  expect(refusedTampered!.status()).toBe(403);
  expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('This link is not valid');
  expect(await mainText(page)).not.toContain(placed!.orderId);
  const refusedExpired = await page.goto(expired);
  await screenshot(page, 'customer-page/refused', 'expired');
  expect(refusedExpired!.status()).toBe(410);
  expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('This link has expired');
  expect((await page.goto(fresh))!.status()).toBe(200);
  expect((await t.orders.getOrder({ orderId: placed!.orderId })).order).toEqual(placed);
  await context.close();
});
