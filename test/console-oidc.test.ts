import type { Browser } from 'puppeteer-core';
import { clickAndWait, launchBrowser, mainText, screenshot } from './support/browser';
import { startTestApp, type TestApp } from './support/harness';
import { startOidcProvider, type TestOidcProvider } from './support/oidc-provider';
import { seedSupplier } from './support/procurement-fixtures';

// Signing in through an OpenID Connect provider (authorization code + PKCE, state, nonce), roles from a claim.
let t: TestApp;
let provider: TestOidcProvider;
let browser: Browser;
let base: string;
beforeAll(async () => {
  provider = await startOidcProvider();
  [t, browser] = await Promise.all([
    startTestApp({
      background: false,
      env: { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_CLIENT_SECRET: provider.clientSecret, OIDC_ROLES_CLAIM: 'realm_access.roles' },
    }),
    launchBrowser(),
  ]);
  base = `http://127.0.0.1:${t.app.consolePort}`;
  await seedSupplier(t, 'OIDC', { minQuantity: 5 }, [{ sku: 'OIDC-1' }]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await provider?.close();
});

describe('console sign-in through OIDC', () => {
  it('signs a planner in at the provider, and the API records their subject', async () => {
    provider.user = { sub: 'oidc|pat', name: 'Pat Planner', claims: { realm_access: { roles: ['planner', 'unknown-role'] } } };
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.goto(`${base}/suppliers/OIDC`);
    // back from the provider, on the page that was asked for
    expect(new URL(page.url()).pathname).toBe('/suppliers/OIDC');
    await screenshot(page, 'console/oidc', '1-signed-in');
    expect(await page.$eval('[data-testid=who]', (el) => el.textContent)).toBe('Pat Planner');
    await page.$eval('#min_quantity', (input) => ((input as unknown as { value: string }).value = '9'));
    await page.type('#reason', 'provider sign-in');
    await clickAndWait(page, 'form[action="/suppliers/OIDC/policy"] button[type=submit]');
    expect(await mainText(page)).toContain('oidc|pat provider sign-in');
    const { policyChanges } = await t.procurement.listPolicyChanges({ supplierId: 'OIDC' });
    expect(policyChanges[0]).toMatchObject({ updatedBy: 'oidc|pat', reason: 'provider sign-in' });

    await clickAndWait(page, 'form[action="/sign-out"] button');
    expect(new URL(page.url()).pathname).toBe('/signed-out');
    expect((await context.cookies()).find((cookie) => cookie.name === 'restock_session')).toBeUndefined();
    await context.close();
  });

  it('refuses a person without the planner role', async () => {
    provider.user = { sub: 'oidc|shop', name: 'Shop Front', claims: { realm_access: { roles: ['storefront'] } } };
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const response = await page.goto(`${base}/buffers`);
    expect(response!.status()).toBe(403);
    await screenshot(page, 'console/oidc', '2-storefront-refused');
    expect(await mainText(page)).toContain('The console is for planners');
    await context.close();
  });

  it('refuses a callback whose state was not issued to this browser', async () => {
    provider.user = { sub: 'oidc|pat', claims: { realm_access: { roles: ['planner'] } } };
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    // a callback without the sign-in it answers (no pending cookie): nobody is signed in
    expect((await page.goto(`${base}/auth/callback?code=stolen&state=guess`))!.status()).toBe(401);
    // a real sign-in started here, answered with another state: refused by openid-client's checks
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/auth/callback' && url.searchParams.get('state') !== 'tampered') {
        url.searchParams.set('state', 'tampered');
        return request.continue({ url: url.href });
      }
      return request.continue();
    });
    const tampered = await page.goto(`${base}/sign-in`);
    expect(tampered!.status()).toBe(401);
    expect((await context.cookies()).find((cookie) => cookie.name === 'restock_session')).toBeUndefined();
    await context.close();
  });
});
