import { sessionCookieFor } from './support/browser';
import { query } from './support/db';
import { startTestApp, type TestApp } from './support/harness';

// The buffers page over many suppliers (seeded with set-based SQL, as bench/list-buffers.ts does at the issue's
// scale, where it also times the page): pages of 100 rows that together list every supplier once. How fast it
// renders is measured there, not asserted here.
const SUPPLIERS = 250;
const DEMAND_ROWS = 10_000;
let t: TestApp;
let cookie: string;

beforeAll(async () => {
  t = await startTestApp({ background: false });
  await query(t.databaseUrl, `INSERT INTO procurement.supplier (supplier_id, name, email, time_zone, quoted_lead_time_days, currency_code,
      min_quantity, min_value, max_wait_days, paused, release_schedule, next_release_time)
    SELECT 'SUP-' || lpad(s::text, 4, '0'), 'Supplier ' || s, 'orders@sup' || s || '.example', 'Europe/Berlin', 7, CASE WHEN s % 10 = 0 THEN 'USD' ELSE 'EUR' END,
      CASE WHEN s % 3 = 0 THEN 500 ELSE 0 END, CASE WHEN s % 4 = 0 THEN 2000 ELSE 0 END, s % 5, s % 17 = 0, '0 10 * * 1', now() + (s % 168) * interval '1 hour'
    FROM generate_series(1, ${SUPPLIERS}) s`);
  await query(t.databaseUrl, `INSERT INTO procurement.supplier_product (supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity)
    SELECT 'SUP-' || lpad(s::text, 4, '0'), 'SKU-' || s || '-' || k, 'X-' || s || '-' || k, 1.25 + k, 1 + k % 3, k % 2 * 5
    FROM generate_series(1, ${SUPPLIERS}) s, generate_series(1, 10) k`);
  await query(t.databaseUrl, `INSERT INTO procurement.demand (demand_id, sku, quantity, demand_time)
    SELECT 'D-' || i, 'SKU-' || (i % ${SUPPLIERS} + 1) || '-' || (i / ${SUPPLIERS} % 10 + 1), 1 + i % 4, now() - (i % 96) * interval '1 hour'
    FROM generate_series(1, ${DEMAND_ROWS}) i`);
  await query(t.databaseUrl, `INSERT INTO procurement.buffered_demand (demand_id, sku, supplier_id, quantity, demand_time)
    SELECT d.demand_id, d.sku, 'SUP-' || lpad(split_part(d.sku, '-', 2), 4, '0'), d.quantity, d.demand_time FROM procurement.demand d`);
  await query(t.databaseUrl, 'ANALYZE');
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
