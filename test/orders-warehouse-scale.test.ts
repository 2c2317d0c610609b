import { OrderStatus } from '../src/gen/restock/orders/v1/order';
import { placedOrderPage, type OrderFilter, type OrderPosition } from '../src/orders/order-page.repository';
import { sqlOf, type Sql } from '../src/platform/orm';
import { query } from './support/db';
import { startTestApp, type TestApp } from './support/harness';

// ListOrders stays keyset with many orders: each page reads a few index entries near its position, not the
// orders before it nor the orders that do not pass the filter. Asserted on PostgreSQL's own plans (EXPLAIN
// ANALYZE of the repository's statements: rows each scan produced), not on time.
let t: TestApp;
const ORDERS = 30_000;
beforeAll(async () => {
  t = await startTestApp({ background: false });
  // 30,000 placed one-line orders a second apart: most shipped, every 100th ready to ship, every 7th waiting
  await query(
    t.databaseUrl,
    `WITH o AS (
       INSERT INTO orders.customer_order (order_id, request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, placement, create_time)
       SELECT 'ord-scale-' || lpad(i::text, 6, '0'), 'scale-' || i, 'h', 'c-' || (i % 50), 'c@example.com', 1, 1 + (i % 2), 'placed',
              timestamptz '2026-01-01' + i * interval '1 second'
       FROM generate_series(1, $1::int) i RETURNING order_id, create_time, customer_id)
     INSERT INTO orders.order_line (line_id, order_id, line_number, sku, quantity, to_reserve, allocated, backordered, shipped, pending, priority, queue_time, customer_id)
     SELECT order_id || '-001', order_id, 1, 'SCALE', 2, 2,
            CASE WHEN n % 100 = 0 THEN 2 ELSE 0 END, CASE WHEN n % 100 <> 0 AND n % 7 = 0 THEN 2 ELSE 0 END,
            CASE WHEN n % 100 <> 0 AND n % 7 <> 0 THEN 2 ELSE 0 END, false, 1, create_time, customer_id
     FROM (SELECT *, substr(order_id, 11)::int AS n FROM o) numbered`,
    [ORDERS],
  );
  await query(t.databaseUrl, 'ANALYZE orders.customer_order');
  await query(t.databaseUrl, 'ANALYZE orders.order_line');
});
afterAll(async () => {
  await t?.stop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** The plan of the page the repository reads, and the rows its scans of order tables read (kept or filtered out). */
async function pagePlan(filter: OrderFilter, after: OrderPosition | undefined, limit: number): Promise<{ rows: number; scans: string[]; page: number }> {
  const sql = sqlOf(t.app.orms.orders!.em.fork());
  let plan: PlanNode | undefined;
  const explaining = (async (text: string, params: unknown[]) => {
    const [row] = await sql<Record<string, [{ Plan: PlanNode }]>>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
    plan = Object.values(row)[0][0].Plan; // its one column, QUERY PLAN
    return [];
  }) as unknown as Sql;
  await placedOrderPage(explaining, filter, after, limit);
  const page = (await placedOrderPage(sql, filter, after, limit)).length;
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    node.Plans?.forEach(walk);
  };
  walk(plan!);
  const scans = nodes.filter((n) => n['Relation Name'] !== undefined);
  return {
    rows: scans.reduce((sum, n) => sum + (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'], 0),
    scans: [...new Set(scans.map((n) => n['Node Type']))],
    page,
  };
}

const everyone: OrderFilter = { customerId: null, statuses: null, readyToShipNow: false };
const deep: OrderPosition = ['2026-01-01T02:00:00.000000', 'ord-scale-007200']; // 22,800 orders newer than it

it('reads a page of everyone\'s orders, first or deep, by index and near its position', async () => {
  for (const after of [undefined, deep]) {
    const plan = await pagePlan(everyone, after, 100);
    expect(plan.page).toBe(100);
    expect(plan.scans).not.toContain('Seq Scan');
    expect(plan.rows).toBeLessThan(1_000);
  }
});

it('reads the orders ready to ship from the lines holding allocated units, not from every order', async () => {
  for (const after of [undefined, deep]) {
    const plan = await pagePlan({ ...everyone, readyToShipNow: true }, after, 20);
    expect(plan.page).toBe(20);
    expect(plan.scans).not.toContain('Seq Scan');
    expect(plan.rows).toBeLessThan(500); // 300 orders of 30,000 can ship
  }
});

it('reads a status filter near its position too, when the status is common enough', async () => {
  const plan = await pagePlan({ ...everyone, statuses: [OrderStatus.ORDER_STATUS_AWAITING_STOCK] }, deep, 50);
  expect(plan.page).toBe(50);
  expect(plan.scans).not.toContain('Seq Scan');
  expect(plan.rows).toBeLessThan(2_000); // one order in 7 waits
  const rpc = await t.orders.listOrders({ statuses: [OrderStatus.ORDER_STATUS_AWAITING_STOCK], readyToShipNow: false, pageSize: 3 });
  expect(rpc.orders.map((o) => o.orderId)).toEqual(['ord-scale-029995', 'ord-scale-029988', 'ord-scale-029981']);
});
