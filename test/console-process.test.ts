import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from './support/databases';
import { freePort } from './support/global-setup';
import { startTestApp, waitFor, type TestApp } from './support/harness';
import { spawnRestock, waitUntilServing, type RestockProcess } from './support/process';

// `npm start` with no OIDC provider configured prints the console's sign-in link, like Jupyter's token link.
describe('the console in a Restock process', () => {
  let dataDir: string;
  let restock: RestockProcess | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-console-'));
  });
  afterEach(async () => {
    if (restock && restock.child.exitCode === null) {
      restock.child.kill('SIGTERM');
      await restock.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints a Console: line whose link signs a local admin in', async () => {
    const env = { DATABASE_URL: await createTestDatabase(), DATA_DIR: dataDir, GRPC_PORT: String(await freePort()) };
    restock = spawnRestock(env);
    await waitUntilServing(restock, `127.0.0.1:${env.GRPC_PORT}`);
    const link = (await waitFor(() => /^Console: (http:\/\/127\.0\.0\.1:\d+\/sign-in\?token=\S+)$/m.exec(restock!.output()), { what: 'the Console: line' }))[1];

    const signIn = await fetch(link, { redirect: 'manual' });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toBe('/buffers');
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^restock_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    const buffers = await fetch(new URL('/buffers', link), { headers: { cookie: cookie.split(';')[0] } });
    expect(buffers.status).toBe(200);
    expect(await buffers.text()).toContain('<h1>Buffers</h1>');
    // the link is the one kept in DATA_DIR: a wrong token signs nobody in
    const wrong = new URL(link);
    wrong.searchParams.set('token', 'not-the-token');
    expect((await fetch(wrong, { redirect: 'manual' })).status).toBe(401);
  }, 120_000);

  it('prints no sign-in link when an OIDC provider signs people in', async () => {
    const env = {
      DATABASE_URL: await createTestDatabase(),
      DATA_DIR: dataDir,
      GRPC_PORT: String(await freePort()),
      OIDC_ISSUER: 'https://id.example.com',
      OIDC_CLIENT_ID: 'restock',
      OIDC_CLIENT_SECRET: 'secret',
    };
    restock = spawnRestock(env);
    await waitUntilServing(restock, `127.0.0.1:${env.GRPC_PORT}`);
    await waitFor(() => restock!.output().includes('console is serving'), { what: 'the console' });
    expect(restock.output()).not.toContain('Console:');
  }, 120_000);

  it('serves no console when SERVICES does not name it', async () => {
    const env = { DATABASE_URL: await createTestDatabase(), DATA_DIR: dataDir, GRPC_PORT: String(await freePort()), SERVICES: 'inventory,orders,procurement' };
    restock = spawnRestock(env);
    await waitUntilServing(restock, `127.0.0.1:${env.GRPC_PORT}`);
    expect(restock.output()).not.toContain('console is serving');
    expect(restock.output()).not.toContain('Console:');
  }, 120_000);
});

describe('a console-only process', () => {
  it('serves the pages from the API of the services in another process', async () => {
    const secret = 'console-only-test-secret-0123456789-abcdefgh';
    const services: TestApp = await startTestApp({ background: false, env: { SERVICES: 'inventory,orders,procurement', AUTH_JWT_SECRET: secret } });
    const address = `127.0.0.1:${services.app.port}`;
    const web: TestApp = await startTestApp({
      databaseUrl: services.databaseUrl,
      env: { SERVICES: 'console', AUTH_JWT_SECRET: secret, INVENTORY_ADDR: address, ORDERS_ADDR: address, PROCUREMENT_ADDR: address },
    });
    try {
      await services.procurement.upsertSupplier({
        supplier: { supplierId: 'FAR', name: 'Far Away Ltd', email: 'po@far.example', timeZone: 'Asia/Tokyo', quotedLeadTimeDays: 30, currencyCode: 'JPY' },
      });
      const token = (await readFile(path.join(web.dataDir, 'console-sign-in-token'), 'utf8')).trim();
      const base = `http://127.0.0.1:${web.app.consolePort}`;
      const signIn = await fetch(`${base}/sign-in?token=${token}`, { redirect: 'manual' });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
      const page = await fetch(`${base}/buffers`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Far Away Ltd');
    } finally {
      await web.stop();
      await services.stop();
    }
  });
});
