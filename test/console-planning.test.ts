import type { Browser, Page } from 'puppeteer-core';
import { Priority } from '../src/gen/restock/common/v1/priority';
import { PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { clickAndWait, launchBrowser, mainText, screenshot, signInLink } from './support/browser';
import { order, product } from './support/fixtures';
import { startTestApp, type TestApp } from './support/harness';
import { seedSupplier, supplierOf } from './support/procurement-fixtures';

// The planner's pages on the planner RPCs (ListBuffers, masked UpdateBufferPolicy, SimulatePolicy, PreviewRelease,
// the listing filters), driven in a real Chromium against a real server (gRPC, PostgreSQL) on its own database.
let t: TestApp;
let browser: Browser;
let base: string;
const NEVER = '0 10 29 2 *'; // 29 February only: no release within any recent window, never due today here
// half an hour from now (UTC): due today unless that is past midnight, and not released while the tests run
const soon = new Date(Date.now() + 30 * 60_000);
const SOON = `${soon.getUTCMinutes()} ${soon.getUTCHours()} * * *`;
const soonIsToday = soon.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp({ background: false }), launchBrowser()]);
  base = `http://127.0.0.1:${t.app.consolePort}`;
  const named = async (supplierId: string, name: string, policy: Parameters<typeof seedSupplier>[2], products: Parameters<typeof seedSupplier>[3]) => {
    await t.procurement.upsertSupplier({ supplier: { ...supplierOf(supplierId, policy), name, timeZone: 'UTC' } });
    await seedSupplier(t, supplierId, policy, products);
    await t.procurement.upsertSupplier({ supplier: { ...supplierOf(supplierId, policy), name, timeZone: 'UTC' } });
  };
  await named('MINUTE', 'Minutely Metals', { releaseSchedule: SOON }, [{ sku: 'MIN-1', cents: 300 }]);
  await named('LEAP', 'Leap Year Lumber', { releaseSchedule: NEVER }, [{ sku: 'LEAP-1', cents: 150 }]);
  await named('PAUS', 'Paused Parts', { minQuantity: 10, releaseSchedule: '30 7 * * 3', paused: true }, [{ sku: 'PAUS-1', cents: 100 }]);
  await named('WHAT', 'Whatif Wares', { releaseSchedule: NEVER }, [{ sku: 'WHAT-1', cents: 200, packSize: 5 }]);
  await named('BOSUP', 'Backorder Supplies', { releaseSchedule: NEVER }, [{ sku: 'BO-A', cents: 500 }]);
  await t.procurement.recordDemand({ demandId: 'd-min-1', sku: 'MIN-1', quantity: 5 });
  await t.procurement.recordDemand({ demandId: 'd-leap-1', sku: 'LEAP-1', quantity: 4 });
  await t.procurement.recordDemand({ demandId: 'd-paus-1', sku: 'PAUS-1', quantity: 2 });
  for (const [i, quantity] of [4, 4, 4].entries()) await t.procurement.recordDemand({ demandId: `d-what-${i}`, sku: 'WHAT-1', quantity });
  // two backordered lines in two currencies: a VIP one of BO-A (served by BOSUP), a standard one of BO-B
  await product(t, 'BO-A', { price: 10, currency: 'EUR' });
  await product(t, 'BO-B', { price: 7, currency: 'USD' });
  await order(t, [['BO-A', 3]], { customer: 'vic', priority: Priority.PRIORITY_VIP });
  await order(t, [['BO-B', 2]], { customer: 'ann', priority: Priority.PRIORITY_STANDARD });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** A fresh browser context (its own cookies) signed in through the printed-style link; page errors are collected. */
async function signedInPage(): Promise<Page & { errors: string[] }> {
  const context = await browser.createBrowserContext();
  const page = (await context.newPage()) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(String(error)));
  await page.goto(await signInLink(t.dataDir, t.app.consolePort!));
  return page;
}

async function setValue(page: Page, selector: string, value: string) {
  await page.$eval(selector, (input) => ((input as unknown as { value: string }).value = ''));
  if (value) await page.type(selector, value);
}

const rowTexts = (page: Page, selector: string) =>
  page.$$eval(selector, (rows) => rows.map((row) => (row as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ').trim()));
const supplierNames = (page: Page) => page.$$eval('table.buffers tbody th a', (links) => links.map((link) => link.textContent));

describe('the planner pages on the planner RPCs', () => {
  it('finds a supplier by name on the buffers page, with the rule, progress and the due-today filter', async () => {
    const page = await signedInPage();
    await screenshot(page, 'console-planning/buffers', '1-all');
    await page.type('#name', 'minut');
    await clickAndWait(page, 'form[action="/buffers"] button[type=submit]');
    expect(await supplierNames(page)).toEqual(['Minutely Metals']);
    const [minute] = await rowTexts(page, 'table.buffers tbody tr');
    expect(minute).toMatch(/^Minutely Metals 5 15\.00 EUR — \d+ (h|min) .* Schedule No$/);

    await page.goto(`${base}/buffers?name=paused`);
    expect(await rowTexts(page, 'table.buffers tbody tr')).toEqual([expect.stringMatching(/^Paused Parts 2 2\.00 EUR 20% of min qty 10 \d+ (h|min) — None: paused Paused$/)]);

    // due before the end of today: the schedule half an hour from now is (when that is today), 29 February and the paused buffer are not
    await page.goto(`${base}/buffers?due=today`);
    await screenshot(page, 'console-planning/buffers', '2-due-today');
    const due = await supplierNames(page);
    expect(due).toEqual(soonIsToday ? ['Minutely Metals'] : []);
    expect(due).not.toContain('Leap Year Lumber');
    expect(due).not.toContain('Paused Parts');
    // only paused buffers, then only running ones
    await page.goto(`${base}/buffers?paused=yes`);
    expect(await supplierNames(page)).toEqual(['Paused Parts']);
    await page.goto(`${base}/buffers?paused=no`);
    expect(await supplierNames(page)).not.toContain('Paused Parts');
    expect(await supplierNames(page)).toContain('Minutely Metals');
    // sorted by the API: by value, highest first within EUR
    await page.goto(`${base}/buffers?sort=value`);
    const byValue = await supplierNames(page);
    expect(byValue.slice(0, 3)).toEqual(['Whatif Wares', 'Minutely Metals', 'Leap Year Lumber']);
    await clickAndWait(page, 'a[href="/suppliers/MINUTE"]');
    await screenshot(page, 'console-planning/supplier', 'minutely');
    expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('Minutely Metals');
    // its products, and what releasing now would order
    expect(await rowTexts(page, 'table.products tbody tr')).toEqual(['MIN-1 S-MIN-1 3.00 EUR 1 0 Yes']);
    expect(await rowTexts(page, 'table.preview tbody tr')).toEqual(['MIN-1 5 5 3.00 EUR']);
    // demand of a SKU nobody sells waits under the buffers, for planners to find it a supplier
    await t.procurement.recordDemand({ demandId: 'd-nobody-1', sku: 'NOBODY-1', quantity: 3 });
    await page.goto(`${base}/buffers`);
    expect(await rowTexts(page, '[data-testid=unassigned] tbody tr')).toEqual([expect.stringMatching(/^NOBODY-1 3 0 \d{4}-/)]);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('saves only the changed minimum quantity with a reason: the history names the planner, schedule and pause are kept', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/suppliers/PAUS`);
    expect(await page.$eval('#paused', (box) => (box as unknown as { checked: boolean }).checked)).toBe(true);
    // nothing changed: nothing is saved
    await page.type('#reason', 'just looking');
    await clickAndWait(page, 'form[action="/suppliers/PAUS/policy"] button[type=submit]');
    expect(await mainText(page)).toContain('Nothing to save');
    expect((await t.procurement.listPolicyChanges({ supplierId: 'PAUS' })).policyChanges).toHaveLength(0);

    await setValue(page, '#min_quantity', '40');
    await setValue(page, '#reason', 'fewer, bigger orders');
    await clickAndWait(page, 'form[action="/suppliers/PAUS/policy"] button[type=submit]');
    await screenshot(page, 'console-planning/policy-mask', 'saved');
    expect(await mainText(page)).toContain('Policy saved.');
    const [entry] = await rowTexts(page, 'table.history tbody tr');
    expect(entry).toMatch(/local-admin fewer, bigger orders min qty 10 .* schedule 30 7 \* \* 3 .* paused min qty 40 .* schedule 30 7 \* \* 3 .* paused$/);
    const policy = (await t.procurement.getSupplier({ supplierId: 'PAUS' })).supplier!.bufferPolicy!;
    expect(policy).toMatchObject({ minQuantity: 40, releaseSchedule: '30 7 * * 3', paused: true });
    const [change] = (await t.procurement.listPolicyChanges({ supplierId: 'PAUS' })).policyChanges;
    expect(change).toMatchObject({ updatedBy: 'local-admin', reason: 'fewer, bigger orders' });
    expect(await page.$eval('#paused', (box) => (box as unknown as { checked: boolean }).checked)).toBe(true);
    expect(await page.$eval('#release_schedule', (input) => (input as unknown as { value: string }).value)).toBe('30 7 * * 3');
    await page.close();
  });

  it('runs a what-if beside the current policy, charts it, and applies it with a reason', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/suppliers/WHAT`);
    await setValue(page, '#wi_min_quantity', '8');
    await clickAndWait(page, 'form[action="/suppliers/WHAT/what-if"] button[type=submit]');
    await page.waitForSelector('#releases-chart canvas');
    await screenshot(page, 'console-planning/what-if', '1-simulated');
    expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('What if: Whatif Wares');
    // (no PO, no wait: the current policy's waits and average value are shown as —)
    // demand 4, 4, 4 in packs of 5: min qty 8 releases 8 as two packs (10, 2 surplus) and keeps 4; the schedule of 29 Feb releases nothing
    const table = await rowTexts(page, 'table.simulation tbody tr');
    expect(table).toEqual(
      expect.arrayContaining(['Purchase orders 1 0', 'Units demanded 8 0', 'Units ordered 10 0', 'Surplus from rounding 2 0', 'Average PO value 20.00 EUR —', 'Units still buffered at the end 4 12']),
    );
    expect(table.find((row) => row.startsWith('Wait, average'))).toMatch(/^Wait, average \d+ (h|min) —$/);
    // the same numbers as the API's own answer
    const simulation = await t.procurement.simulatePolicy({ supplierId: 'WHAT', proposedPolicy: { minQuantity: 8, releaseSchedule: NEVER, maxWaitDays: 0, paused: false, minValue: undefined } });
    expect(simulation.proposed).toMatchObject({ purchaseOrderCount: 1, orderedQuantity: 10, surplusQuantity: 2 });
    expect(page.errors).toEqual([]);

    // applying without a reason is refused inline; with one, the history shows the applied policy
    await clickAndWait(page, 'form[action="/suppliers/WHAT/what-if/apply"] button[type=submit]');
    expect(await page.$eval('#apply_reason', (el) => el.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('apply_reason');
    await page.type('#apply_reason', 'what-if: half the POs');
    await clickAndWait(page, 'form[action="/suppliers/WHAT/what-if/apply"] button[type=submit]');
    await screenshot(page, 'console-planning/what-if', '2-applied');
    expect(new URL(page.url()).pathname).toBe('/suppliers/WHAT');
    expect(await mainText(page)).toContain('Proposed policy applied.');
    const [entry] = await rowTexts(page, 'table.history tbody tr');
    expect(entry).toMatch(/local-admin what-if: half the POs min qty 0 .* min qty 8 · min value off · schedule 0 10 29 2 \* · max wait 0 d · active$/);
    expect((await t.procurement.getSupplier({ supplierId: 'WHAT' })).supplier!.bufferPolicy).toMatchObject({ minQuantity: 8, releaseSchedule: NEVER, paused: false });
    await page.close();
  });

  it('releases a PO by hand, shows it in the list, and the list filters on statuses, supplier, dates and number', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/suppliers/MINUTE`);
    await page.type('#release_reason', 'customer escalation');
    await clickAndWait(page, 'form[action="/suppliers/MINUTE/release"] button[type=submit]');
    await screenshot(page, 'console-planning/purchase-orders', '1-released');
    const [minute] = (await t.procurement.listPurchaseOrders({ supplierId: 'MINUTE' })).purchaseOrders;
    expect(await mainText(page)).toContain(`Released ${minute.number}.`);
    expect(await rowTexts(page, 'table.orders tbody tr')).toEqual([expect.stringMatching(new RegExp(`^${minute.number} Minutely Metals Issued Manual 1 15\\.00 EUR`))]);
    // a second PO, cancelled
    const [leap] = (await t.procurement.evaluateBuffers({ supplierId: 'LEAP', force: true })).purchaseOrders;
    await t.procurement.cancelPurchaseOrder({ purchaseOrderId: leap.purchaseOrderId, reason: 'not needed' });

    const numbers = async (query: string) => {
      await page.goto(`${base}/purchase-orders?${query}`);
      return page.$$eval('table.orders tbody th a', (links) => links.map((link) => link.textContent).sort());
    };
    const both = [minute.number, leap.number].sort();
    expect(await numbers('')).toEqual(both);
    expect(await numbers('status=ISSUED')).toEqual([minute.number]);
    expect(await numbers('status=CANCELLED')).toEqual([leap.number]);
    expect(await numbers('status=ISSUED&status=CANCELLED')).toEqual(both);
    expect(await numbers('status=SENT&status=CONFIRMED')).toEqual([]);
    expect(await numbers('supplier=LEAP')).toEqual([leap.number]);
    expect(await numbers(`q=${encodeURIComponent(minute.number.slice(-4))}`)).toEqual([minute.number]);
    expect(await numbers('q=no-such-number')).toEqual([]);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(await numbers(`from=${day(0)}&to=${day(0)}`)).toEqual(both);
    expect(await numbers(`from=${day(1)}`)).toEqual([]);
    expect(await numbers(`to=${day(-1)}`)).toEqual([]);

    // the same filters through the form: two statuses ticked, the cancelled one found by its number
    await page.goto(`${base}/purchase-orders`);
    await page.click('input[name=status][value=CANCELLED]');
    await page.click('input[name=status][value=RECEIVED]');
    await page.type('#q', leap.number);
    await clickAndWait(page, 'form[action="/purchase-orders"] button[type=submit]');
    await screenshot(page, 'console-planning/purchase-orders', '2-filtered');
    expect(await page.$$eval('table.orders tbody th a', (links) => links.map((link) => link.textContent))).toEqual([leap.number]);
    expect(await page.$eval('input[name=status][value=CANCELLED]', (box) => (box as unknown as { checked: boolean }).checked)).toBe(true);
    expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: leap.purchaseOrderId })).purchaseOrder!.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CANCELLED);
    await page.close();
  });

  it('shows the backorder queue across SKUs with its filters, and one SKU\'s queue', async () => {
    const page = await signedInPage();
    const lines = async (query: string) => {
      await page.goto(`${base}/backorders?${query}`);
      return rowTexts(page, 'table.backorders tbody tr');
    };
    const all = await lines('');
    await screenshot(page, 'console-planning/backorders', '1-across-skus');
    expect(all).toHaveLength(2);
    expect(all).toEqual(expect.arrayContaining([expect.stringMatching(/ BO-A 3 Vip \d+ (h|min) /), expect.stringMatching(/ BO-B 2 Standard \d+ (h|min) /)]));
    expect(await lines('priority=VIP')).toEqual([expect.stringMatching(/ BO-A 3 Vip /)]);
    expect(await lines('supplier=BOSUP')).toEqual([expect.stringMatching(/ BO-A 3 Vip /)]);
    expect(await lines('min_age_days=1')).toEqual([]);
    expect(await mainText(page)).toContain('No waiting line matches.');
    // through the form, then one SKU's queue in allocation order
    await page.goto(`${base}/backorders`);
    await page.select('#priority', 'STANDARD');
    await clickAndWait(page, 'form[action="/backorders"] button[type=submit]');
    expect(await rowTexts(page, 'table.backorders tbody tr')).toEqual([expect.stringMatching(/ BO-B 2 Standard /)]);
    await clickAndWait(page, 'a[href="/backorders?sku=BO-B"]');
    await screenshot(page, 'console-planning/backorders', '2-one-sku');
    expect(await rowTexts(page, 'table.backorders tbody tr')).toEqual([expect.stringMatching(/^1 \S+ BO-B 2 Standard /)]);
    await page.close();
  });

  it('shows open value per currency and a 12-week trend chart on the KPIs page', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/kpis`);
    await page.waitForSelector('#trend-chart canvas');
    await screenshot(page, 'console-planning/kpis', 'kpis');
    const values = await page.$eval('[data-testid=open-values]', (dd) => (dd as unknown as { innerText: string }).innerText.split('\n').filter(Boolean));
    expect(values).toEqual(['30.00 EUR', '14.00 USD']);
    // counted per order too: both orders wait
    expect(await page.$eval('[data-testid=order-backorder-rate]', (dd) => dd.textContent!.trim())).toBe('100.0 %');
    expect(await page.$eval('[data-testid=open-backordered-orders]', (dd) => dd.textContent!.trim())).toBe('2');
    const weeks = await rowTexts(page, 'table.trend tbody tr');
    expect(weeks).toHaveLength(12);
    // this week's orders were both backordered: 100 %; the eleven weeks before had none
    expect(weeks[11]).toMatch(/100\.0 %/);
    expect(weeks.slice(0, 11).every((row) => !row.includes('100.0 %'))).toBe(true);
    // one supplier's KPIs: BOSUP serves only BO-A
    await page.goto(`${base}/kpis?supplier=BOSUP`);
    expect(await page.$eval('[data-testid=open-values]', (dd) => (dd as unknown as { innerText: string }).innerText.trim())).toBe('30.00 EUR');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('fits a phone-width screen and labels every field on the new pages', async () => {
    const page = await signedInPage();
    await page.setViewport({ width: 390, height: 844 });
    for (const [name, url] of [
      ['buffers', '/buffers'],
      ['supplier', '/suppliers/WHAT'],
      ['what-if', '/suppliers/WHAT/what-if?min_quantity=4&release_schedule=0+10+29+2+*'],
      ['purchase-orders', '/purchase-orders'],
      ['backorders', '/backorders'],
      ['kpis', '/kpis'],
    ]) {
      await page.goto(`${base}${url}`);
      await screenshot(page, 'console-planning/phone', name);
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const unlabelled = await page.$$eval('main input:not([type=hidden]), main select', (fields) =>
        fields.filter((field) => !(field as unknown as { labels: unknown[] }).labels.length).map((field) => field.id || field.getAttribute('name')),
      );
      expect({ name, unlabelled }).toEqual({ name, unlabelled: [] });
      expect(await page.$$eval('main h1', (headings) => headings.length)).toBe(1);
    }
    await page.close();
  });
});
