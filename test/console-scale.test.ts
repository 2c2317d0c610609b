import { sessionCookieFor } from './support/browser';
import { bufferSeedStatements } from './support/buffers-at-scale';
import { query } from './support/db';
import { startTestApp, type TestApp } from './support/harness';

// The buffers page over many suppliers (seeded with the set-based SQL bench/list-buffers.ts uses at the issue's
// scale, where it also times the page): pages of 100 rows that together list every supplier once. How fast it
// renders is measured there, not asserted here.
const SUPPLIERS = 250;
const DEMAND_ROWS = 10_000;
let t: TestApp;
let cookie: string;

beforeAll(async () => {
  t = await startTestApp({ background: false });
  for (const statement of bufferSeedStatements({ suppliers: SUPPLIERS, skusPerSupplier: 10, demandRows: DEMAND_ROWS })) await query(t.databaseUrl, statement);
  cookie = `restock_session=${encodeURIComponent(await sessionCookieFor(t.dataDir, { sub: 'planner-1', roles: ['planner'] }))}`;
}, 180_000);
afterAll(async () => {
  await t?.stop();
});

async function page(path: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${t.app.consolePort}${path}`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return response.text();
}

it('lists every supplier once over pages of 100 rows, in each order and filter', async () => {
  for (const path of ['/buffers', '/buffers?sort=value', '/buffers?sort=age&due=today', '/buffers?name=supplier+99']) {
    expect(await page(path)).toContain('<table class="buffers">');
  }
  // a page has 100 rows and a link to the next, with the same order; the pages hold every supplier once
  let next: string | undefined = '/buffers?sort=supplier';
  const seen: string[] = [];
  while (next) {
    const html = await page(next);
    const ids = [...html.matchAll(/<a href="\/suppliers\/([^"]+)">/g)].map((match) => match[1]);
    expect(ids.length).toBeLessThanOrEqual(100);
    seen.push(...ids);
    next = html.match(/<a href="([^"]+)">Next page<\/a>/)?.[1].replace(/&amp;/g, '&');
  }
  expect(seen).toHaveLength(SUPPLIERS);
  expect(new Set(seen).size).toBe(SUPPLIERS);
  expect(seen).toEqual([...seen].sort());
}, 180_000);
