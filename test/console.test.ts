import type { Browser, Page } from 'puppeteer-core';
import { PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { clickAndWait, launchBrowser, mainText, screenshot, sessionCookieFor, signInLink } from './support/browser';
import { startTestApp, type TestApp } from './support/harness';
import { sendReminders } from '../src/procurement/purchase-order-reminders';
import { seedSupplier, supplierOf } from './support/procurement-fixtures';

// The planners' console driven in a real Chromium against a real server (gRPC, PostgreSQL) on its own database.
let t: TestApp;
let browser: Browser;
let base: string;
beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp({ background: false }), launchBrowser()]);
  base = `http://127.0.0.1:${t.app.consolePort}`;
  await seedSupplier(t, 'ACME', { minQuantity: 25 }, [{ sku: 'ACME-BOLT', cents: 125 }, { sku: 'ACME-NUT', cents: 40 }]);
  await seedSupplier(t, 'ZEUS', {}, [{ sku: 'ZEUS-GEAR', cents: 900 }]);
  await t.procurement.recordDemand({ demandId: 'd-acme-1', sku: 'ACME-BOLT', quantity: 12 });
  await t.procurement.recordDemand({ demandId: 'd-acme-2', sku: 'ACME-NUT', quantity: 3 });
  await t.procurement.recordDemand({ demandId: 'd-zeus-1', sku: 'ZEUS-GEAR', quantity: 2 });
  await seedSupplier(t, 'HERA', {}, [{ sku: 'HERA-PIN', cents: 10 }]);
  await t.procurement.recordDemand({ demandId: 'd-hera-1', sku: 'HERA-PIN', quantity: 7 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** A fresh browser context (its own cookies) signed in through the printed-style link. */
async function signedInPage(): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.goto(await signInLink(t.dataDir, t.app.consolePort!));
  return page;
}

describe('console in a browser', () => {
  it('signs in through the printed link and finds a supplier among the buffers', async () => {
    const page = await signedInPage();
    expect(new URL(page.url()).pathname).toBe('/buffers');
    await screenshot(page, 'console/sign-in-and-find', '1-buffers');
    expect(await page.$eval('[data-testid=who]', (el) => el.textContent)).toBe('Local admin');
    const text = await mainText(page);
    expect(text).toMatch(/Supplier ACME 15 16\.20 EUR/);
    expect(text).toMatch(/60% of min qty/);
    // the session cookie is HttpOnly, SameSite=Lax and Secure (Chromium keeps Secure cookies of http://127.0.0.1)
    const session = (await page.browserContext().cookies()).find((cookie) => cookie.name === 'restock_session')!;
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });

    // sorted by value (ListBuffers' order): ZEUS (18.00), ACME (16.20), HERA (0.70)
    await page.goto(`${base}/buffers?sort=value`);
    const names = await page.$$eval('tbody th a', (links) => links.map((link) => link.textContent));
    expect(names).toEqual(['Supplier ZEUS', 'Supplier ACME', 'Supplier HERA']);
    // both are due at the next Monday 10:00 Berlin: "due today" keeps them only when that is today
    await page.goto(`${base}/buffers?due=today`);
    const monday = (await t.procurement.getBuffer({ supplierId: 'ACME' })).buffer!.nextReleaseTime!;
    const dueToday = monday.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);
    expect(await mainText(page)).toContain(dueToday ? 'Supplier ACME' : 'No buffer is due today.');
    await page.goto(`${base}/buffers`);
    await clickAndWait(page, 'a[href="/suppliers/ACME"]');
    await screenshot(page, 'console/sign-in-and-find', '2-supplier');
    expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('Supplier ACME');
    expect(await mainText(page)).toContain('ACME-BOLT 12 15.00 EUR');
    await page.close();
  });

  it('changes the minimum quantity with a reason and shows the history entry with who changed it', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/suppliers/ACME`);
    // without a reason the API refuses, and the form shows its violation beside the field, keeping what was typed
    await page.$eval('#min_quantity', (input) => ((input as unknown as { value: string }).value = ''));
    await page.type('#min_quantity', '40');
    await clickAndWait(page, 'form[action="/suppliers/ACME/policy"] button[type=submit]');
    await screenshot(page, 'console/policy-change', '1-refused-without-reason');
    expect(await page.$eval('#reason-error', (el) => el.textContent)).toMatch(/reason|characters|least/i);
    expect(await page.$eval('#reason', (el) => el.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.$eval('#min_quantity', (el) => (el as unknown as { value: string }).value)).toBe('40');
    // a schedule the API cannot read is shown inline too
    await page.$eval('#release_schedule', (input) => ((input as unknown as { value: string }).value = 'every full moon'));
    await page.type('#reason', 'bigger batches');
    await clickAndWait(page, 'form[action="/suppliers/ACME/policy"] button[type=submit]');
    expect(await page.$('#release_schedule-error')).not.toBeNull();
    expect((await t.procurement.getSupplier({ supplierId: 'ACME' })).supplier!.bufferPolicy!.minQuantity).toBe(25);

    await page.$eval('#release_schedule', (input) => ((input as unknown as { value: string }).value = ''));
    await clickAndWait(page, 'form[action="/suppliers/ACME/policy"] button[type=submit]');
    await screenshot(page, 'console/policy-change', '2-saved-with-history');
    expect(await mainText(page)).toContain('Policy saved.');
    const history = await page.$$eval('table.history tbody tr', (rows) => rows.map((row) => (row as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ')));
    expect(history[0]).toMatch(/local-admin bigger batches min qty 25 .* min qty 40/);
    // the API recorded the signed-in person as the one who changed it
    const { policyChanges } = await t.procurement.listPolicyChanges({ supplierId: 'ACME' });
    expect(policyChanges[0]).toMatchObject({ updatedBy: 'local-admin', reason: 'bigger batches' });
    expect(policyChanges[0].newPolicy!.minQuantity).toBe(40);
    await page.close();
  });

  it('releases a buffer by hand and shows the PO in the list, then confirms it on the supplier\'s behalf', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/suppliers/ZEUS`);
    await page.type('#release_reason', 'customer escalation');
    await clickAndWait(page, 'form[action="/suppliers/ZEUS/release"] button[type=submit]');
    await screenshot(page, 'console/release-now', '1-released-list');
    const { purchaseOrders } = await t.procurement.listPurchaseOrders({ supplierId: 'ZEUS' });
    expect(purchaseOrders).toHaveLength(1);
    const [po] = purchaseOrders;
    expect(new URL(page.url()).pathname).toBe('/purchase-orders');
    const text = await mainText(page);
    expect(text).toContain(`Released ${po.number}.`);
    expect(text).toMatch(new RegExp(`${po.number} Supplier ZEUS Issued Manual 1 18\\.00 EUR`));

    await clickAndWait(page, `a[href="/purchase-orders/${po.purchaseOrderId}"]`);
    await screenshot(page, 'console/release-now', '2-detail');
    expect(await mainText(page)).toContain('ZEUS-GEAR S-ZEUS-GEAR 2 2 0 0 9.00 EUR');
    // the reason typed in the release form is kept on the PO with who released it, and shown on its timeline
    expect(po).toMatchObject({ releaseReason: 'customer escalation', releasedBy: expect.stringMatching(/\S/) });
    expect(await page.$eval('ol.timeline', (ol) => ol.textContent)).toContain(`Released by ${po.releasedBy}: customer escalation`);
    await page.type('#promised_date', '12312030'); // the date input takes digits in the locale's order (en-US: mm dd yyyy)
    await clickAndWait(page, `form[action="/purchase-orders/${po.purchaseOrderId}/confirm"] button[type=submit]`);
    await screenshot(page, 'console/release-now', '3-confirmed');
    expect(await page.$eval('[data-testid=status]', (el) => el.textContent)).toBe('Confirmed');
    const confirmed = (await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!;
    expect(confirmed.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED);
    expect(confirmed.promisedTime!.toISOString().slice(0, 10)).toBe('2030-12-31');

    // filtered by status, the list shows it under Confirmed and not under Issued
    await page.goto(`${base}/purchase-orders?status=CONFIRMED`);
    expect(await mainText(page)).toContain(po.number);
    await page.goto(`${base}/purchase-orders?status=ISSUED`);
    expect(await mainText(page)).not.toContain(po.number);
    await page.close();
  });

  it('cancels a PO with a reason, showing the API\'s refusal inline without one', async () => {
    const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'HERA', force: true })).purchaseOrders;
    const page = await signedInPage();
    await page.goto(`${base}/purchase-orders/${po.purchaseOrderId}`);
    const cancel = `form[action="/purchase-orders/${po.purchaseOrderId}/cancel"] button[type=submit]`;
    await clickAndWait(page, cancel);
    expect(await page.$eval('#cancel-error', (el) => el.textContent)).toBeTruthy();
    expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED);
    await page.type('#cancel_reason', 'supplier closed for the season');
    await clickAndWait(page, cancel);
    await screenshot(page, 'console/cancel', 'cancelled');
    expect(await page.$eval('[data-testid=status]', (el) => el.textContent)).toBe('Cancelled');
    expect(await mainText(page)).toContain('cancelled: supplier closed for the season');
    expect(await page.$(cancel)).toBeNull(); // a cancelled PO offers no actions
    await page.close();
  });

  it('shows each email as it was sent, resends the PO with a reason and flags a PO that needs attention', async () => {
    await seedSupplier(t, 'IRIS', {}, [{ sku: 'IRIS-CAP', cents: 300 }]);
    await t.procurement.recordDemand({ demandId: 'd-iris-1', sku: 'IRIS-CAP', quantity: 5 });
    const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'IRIS', force: true })).purchaseOrders;
    await t.app.dispatchers.procurement!.drain();
    const page = await signedInPage();
    await page.goto(`${base}/purchase-orders/${po.purchaseOrderId}`);
    await screenshot(page, 'console/po-emails', '1-email-as-sent');
    const emails = () => page.$$eval('[data-testid=email]', (articles) => articles.map((a) => a.querySelector('h3')!.textContent + ' | ' + [...a.querySelector('dl')!.children].map((item) => item.textContent!.replace(/\s+/g, ' ').trim()).join(' ')));
    expect(await emails()).toEqual([expect.stringMatching(new RegExp(`^Purchase order: Purchase order ${po.number} \\| To orders@iris\\.example Reply-To Restock Purchasing <purchasing@localhost> Sent \\d{4}-`))]);
    // the HTML body is shown as the supplier saw it, in a sandboxed frame (no scripts, its own opaque origin)
    expect(await page.$eval('iframe.email-body', (frame) => frame.getAttribute('sandbox'))).toBe('');
    const body = page.frames().find((frame) => frame !== page.mainFrame())!;
    expect(await body.$eval('body', (el) => el.textContent)).toContain(`Please supply the following under purchase order ${po.number}.`);
    expect(await body.$eval('table', (el) => el.textContent)).toContain('S-IRIS-CAP');
    expect(await page.$eval('pre.email-text', (el) => el.textContent)).toContain('/supplier/purchase-orders/');

    // resending needs a reason; with one, the PO goes again to the supplier's current address and shows first
    await t.procurement.upsertSupplier({ supplier: { ...supplierOf('IRIS'), email: 'buying@iris.example' } });
    const resend = `form[action="/purchase-orders/${po.purchaseOrderId}/resend"] button[type=submit]`;
    await clickAndWait(page, resend);
    expect(await page.$eval('#resend-error', (el) => el.textContent)).toMatch(/characters/);
    await page.type('#resend_reason', 'supplier changed its order desk');
    await page.click('#revoke_earlier_links');
    await clickAndWait(page, resend);
    // each email's body renders in its own frame
    expect(page.mainFrame().childFrames()).toHaveLength(2);
    for (const frame of page.mainFrame().childFrames()) await frame.waitForSelector('table');
    await screenshot(page, 'console/po-emails', '2-resent');
    expect(await mainText(page)).toContain('queued to be sent again');
    const [latest, first] = await emails();
    expect(latest).toMatch(new RegExp(`^Sent again: Purchase order ${po.number} \\(sent again\\) \\| To buying@iris\\.example .* waiting to be sent .* Requested by \\S+: supplier changed its order desk$`));
    expect(first).toMatch(/^Purchase order: /);
    const logged = (await t.procurement.listPurchaseOrderEmails({ purchaseOrderId: po.purchaseOrderId })).emails;
    expect(logged.map((e) => [e.to, e.reason])).toEqual([['orders@iris.example', ''], ['buying@iris.example', 'supplier changed its order desk']]);
    await t.app.dispatchers.procurement!.drain();
    await page.reload();
    expect((await emails())[0]).toMatch(/ Sent \d{4}-\d{2}-\d{2} /);

    // unconfirmed for long enough (no reminders configured here), the PO needs attention: a badge, and the list's filter finds it
    await sendReminders(t.app.orms.procurement!, { now: () => new Date(Date.now() + 5 * 86_400_000) }, { confirmDays: 2, reminders: 0 });
    await page.reload();
    expect(await page.$eval('[data-testid=needs-attention]', (el) => el.textContent)).toBe('Needs attention');
    await page.goto(`${base}/purchase-orders`);
    await page.click('#attention');
    await clickAndWait(page, 'form.filters button[type=submit]');
    await screenshot(page, 'console/po-emails', '3-needs-attention');
    expect(new URL(page.url()).searchParams.get('attention')).toBe('1');
    expect(await page.$$eval('tbody th a', (links) => links.map((link) => link.textContent))).toEqual([po.number]);
    await page.close();
  });

  it('charts the lead time and shows the scorecard once a delivery was observed', async () => {
    const [po] = (await t.procurement.listPurchaseOrders({ supplierId: 'ZEUS' })).purchaseOrders;
    await t.app.dispatchers.procurement!.drain(); // its email goes out: the PO is sent, so its delivery is a lead-time observation
    await t.procurement.receivePurchaseOrder({ receiptId: 'r-zeus-1', purchaseOrderId: po.purchaseOrderId, lines: [{ sku: 'ZEUS-GEAR', quantity: 2 }] });
    const page = await signedInPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => errors.push(message.text()));
    await page.goto(`${base}/suppliers/ZEUS`);
    await page.waitForSelector('#lead-time-chart canvas');
    await screenshot(page, 'console/lead-time', 'supplier-with-chart');
    expect(errors).toEqual([]);
    expect(await mainText(page)).toMatch(/1 deliveries observed · quoted 7\.0 d/);
    expect(await page.$eval('#lead-time-chart', (el) => el.getAttribute('aria-label'))).toMatch(/^Lead time: quoted 7\.0 d, p50 \d/);
    // The observation is plotted (a point at its receipt time) and listed in a table beside the chart.
    const [observation] = (await t.procurement.listLeadTimeObservations({ supplierId: 'ZEUS' })).observations;
    const series = JSON.parse((await page.$eval('#lead-time-chart', (el) => el.getAttribute('data-series')))!);
    expect(series.points).toEqual([[Math.round(observation.observeTime!.getTime() / 1000), observation.leadTimeDays]]);
    expect(await page.$eval('#lead-time-chart', (el) => el.getAttribute('data-observations'))).toBe('1');
    const rows = await page.$$eval('#lead-time-observations tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([[expect.any(String), po.number, 'ZEUS-GEAR', `${observation.leadTimeDays.toFixed(1)} d`]]);
    // The scorecard: the one PO, confirmed (by hand, before its email left) for 2030 and delivered in full now.
    const scorecard = await page.$$eval('#supplier-scorecard tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent)));
    expect(scorecard).toEqual([
      ['All SKUs', '1', '100.0 %', '100.0 %', '0.0 d', '0.0 d', '1'],
      ['ZEUS-GEAR', '1', '100.0 %', '100.0 %', '0.0 d', '0.0 d', '1'],
    ]);
    await page.close();
  });

  it('shows the backorders of a SKU and the KPIs', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/backorders?sku=ACME-BOLT`);
    await screenshot(page, 'console/other-pages', '1-backorders');
    expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('Backorders');
    await page.goto(`${base}/kpis`);
    await screenshot(page, 'console/other-pages', '2-kpis');
    expect(await mainText(page)).toContain('Backorder rate');
    await page.close();
  });

  it('refuses a form posted without its CSRF token, and changes nothing', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/suppliers/ACME`);
    const before = (await t.procurement.listPolicyChanges({ supplierId: 'ACME' })).policyChanges.length;
    // the browser sends the session cookie (same origin); only the token is missing
    const status = await page.evaluate(async () => {
      const response = await fetch('/suppliers/ACME/policy', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'min_quantity=1&max_wait_days=0&reason=forged',
      });
      return response.status;
    });
    expect(status).toBe(403);
    // a token of another form's person or a made-up one is refused as well
    const forged = await page.evaluate(async () => {
      const response = await fetch('/suppliers/ACME/release', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=made-up&reason=x' });
      return response.status;
    });
    expect(forged).toBe(403);
    expect((await t.procurement.listPolicyChanges({ supplierId: 'ACME' })).policyChanges).toHaveLength(before);
    expect((await t.procurement.listPurchaseOrders({ supplierId: 'ACME' })).purchaseOrders).toHaveLength(0);
    await page.reload();
    await screenshot(page, 'console/csrf', 'supplier-unchanged');
    await page.close();
  });

  it('refuses people who are not planners, and sends the signed-out to sign in', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const response = await page.goto(`${base}/buffers`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(response!.status()).toBe(200);
    await screenshot(page, 'console/refusals', '1-sign-in');
    expect((await page.goto(`${base}/sign-in?token=wrong`))!.status()).toBe(401);

    await context.setCookie({ name: 'restock_session', value: await sessionCookieFor(t.dataDir, { sub: 'shop-1', roles: ['storefront'] }), domain: '127.0.0.1', path: '/', httpOnly: true, secure: true });
    const refused = await page.goto(`${base}/suppliers/ACME`);
    expect(refused!.status()).toBe(403);
    await screenshot(page, 'console/refusals', '2-storefront-403');
    expect(await mainText(page)).toContain('The console is for planners');
    // an altered session cookie signs nobody in
    await context.setCookie({ name: 'restock_session', value: (await sessionCookieFor(t.dataDir, { sub: 'shop-1', roles: ['storefront'] })).replace(/^./, 'x'), domain: '127.0.0.1', path: '/' });
    await page.goto(`${base}/buffers`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('fits a phone-width screen', async () => {
    const page = await signedInPage();
    await page.setViewport({ width: 390, height: 844 });
    for (const [name, url] of [['buffers', '/buffers'], ['supplier', '/suppliers/ACME'], ['purchase-orders', '/purchase-orders'], ['kpis', '/kpis']]) {
      await page.goto(`${base}${url}`);
      await screenshot(page, 'console/phone', name);
      // the page itself never scrolls sideways; wide tables scroll inside their own box
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    // every form field has a label
    await page.goto(`${base}/suppliers/ACME`);
    const unlabelled = await page.$$eval('main input:not([type=hidden]):not([type=checkbox]), main select', (fields) =>
      fields.filter((field) => !(field as unknown as { labels: unknown[] }).labels.length).map((field) => field.id),
    );
    expect(unlabelled).toEqual([]);
    await page.close();
  });
});
