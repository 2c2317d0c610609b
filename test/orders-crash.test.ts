import { Client } from 'pg';
import { createTestDatabase } from './support/databases';
import { waitFor } from './support/harness';
import { expectDemandConservedOnceDelivered } from './support/invariants';
import { startChild, type ChildApp } from './support/orders-child';

// Each case kills a real `tsx src/main.ts` with SIGKILL at a named step (RESTOCK_CRASH_POINT), restarts it
// on the same database and checks that recovery finished or compensated the work: no order lost, nothing
// left reserved in Inventory that Orders does not account for.

jest.setTimeout(120_000);

let databaseUrl: string;
let app: ChildApp | undefined;
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
});
afterEach(() => app?.close());

async function seed(child: ChildApp, sku: string, onHand: number, acceptBackorders = true): Promise<void> {
  await child.inventory.upsertProduct({ product: { sku, name: sku, unitPrice: { currencyCode: 'EUR', units: 3, nanos: 0 }, backorderPolicy: { acceptBackorders } } });
  if (onHand > 0) await child.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: onHand, reason: 'seed' });
}

/** Runs action in a child that dies at crashPoint, then returns a freshly restarted child. */
async function crashDuring(crashPoint: string, setup: (child: ChildApp) => Promise<void>, action: (child: ChildApp) => Promise<unknown>): Promise<ChildApp> {
  const doomed = await startChild(databaseUrl, crashPoint);
  await setup(doomed);
  await expect(action(doomed)).rejects.toThrow();
  expect((await doomed.exited).signal).toBe('SIGKILL');
  doomed.close();
  return startChild(databaseUrl);
}

/** Inventory's reservations of sku equal what Orders lines hold: nothing reserved that Orders does not account for. */
async function expectReservedMatches(child: ChildApp, sku: string, allocated: number): Promise<void> {
  expect((await child.inventory.getStock({ sku })).stock?.reserved).toBe(allocated);
}

const place = (child: ChildApp, requestId: string, customerId: string, lines: [string, number][]) =>
  child.orders.placeOrder({ requestId, customerId, customerEmail: `${customerId}@example.com`, lines: lines.map(([sku, quantity]) => ({ sku, quantity })) });

describe.each(['placement.pending-written', 'placement.stock-reserved', 'placement.finalized'])('a crash at %s', (crashPoint) => {
  it('is completed on restart: the order exists once, with its reservation', async () => {
    const sku = `CR-${crashPoint.split('.')[1]}`;
    const customer = `crash-${crashPoint}`;
    app = await crashDuring(crashPoint, (c) => seed(c, sku, 3), (c) => place(c, `req-${crashPoint}`, customer, [[sku, 5]]));
    const orders = (await waitFor(async () => {
      const page = await app!.orders.listOrders({ customerId: customer });
      return page.orders.length > 0 ? page.orders : null;
    }, { what: 'recovery to place the order', timeoutMs: 60_000 }))!;
    expect(orders[0].lines.map((l) => [l.allocatedQuantity, l.backorderedQuantity])).toEqual([[3, 2]]);
    await expectReservedMatches(app, sku, 3);
    const { order: retried } = await place(app, `req-${crashPoint}`, customer, [[sku, 5]]);
    expect(retried).toEqual(orders[0]);
    await expectDemandConservedOnceDelivered(databaseUrl);
  });
});

it('a crash after reserving an order that must be refused is compensated on restart: nothing stays reserved', async () => {
  app = await crashDuring(
    'placement.stock-reserved',
    async (c) => {
      await seed(c, 'CR-OK', 4);
      await seed(c, 'CR-NOBO', 0, false);
    },
    (c) => place(c, 'req-refused', 'crash-refused', [['CR-OK', 2], ['CR-NOBO', 1]]),
  );
  await waitFor(async () => (await app!.inventory.getStock({ sku: 'CR-OK' })).stock?.reserved === 0, { what: 'the reservation to be released', timeoutMs: 60_000 });
  expect((await app.orders.listOrders({ customerId: 'crash-refused' })).orders).toEqual([]);
});

it('a crash while a batch of concurrent orders is reserved loses none of them: recovery and retries place each once, in FIFO order', async () => {
  const sku = 'CR-BATCH';
  const customer = 'crash-batch';
  const requests = ['req-batch-0', 'req-batch-1', 'req-batch-2', 'req-batch-3', 'req-batch-4', 'req-batch-5'];
  const before = await startChild(databaseUrl);
  await seed(before, sku, 4);
  await place(before, requests[0], customer, [[sku, 1]]);
  before.close();
  // The retry of the placed order starts a batch (which hits no crash point) and waits on the SKU's lock,
  // held here, while the new orders queue behind it; released, they go as one batch and die reserved.
  const doomed = await startChild(databaseUrl, 'placement.stock-reserved');
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  let first: Promise<unknown>;
  let rest: Promise<unknown>[];
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext('restock.orders.sku'), hashtext($1))`, [sku]);
    first = place(doomed, requests[0], customer, [[sku, 1]]);
    const waiting = `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`;
    await waitFor(async () => (await lock.query(waiting)).rowCount! > 0, { what: 'the first batch to wait on the lock' });
    rest = requests.slice(1).map((requestId) => place(doomed, requestId, customer, [[sku, 1]]));
    await waitFor(async () => (await doomed.batcherWaiting()) === 5, { what: 'the five requests to reach the placement queue' });
  } finally {
    await lock.end();
  }
  const answers = await Promise.allSettled([first, ...rest]);
  expect(answers.slice(1).every((answer) => answer.status === 'rejected')).toBe(true);
  expect((await doomed.exited).signal).toBe('SIGKILL');
  doomed.close();

  app = await startChild(databaseUrl);
  // recovery places the five pending orders of the batch that died (before any client retries)
  await waitFor(async () => (await app!.orders.listOrders({ customerId: customer })).orders.length === 6, {
    what: 'recovery to place all five orders of the batch that died',
    timeoutMs: 60_000,
  });
  const retried = [];
  for (const requestId of requests) retried.push((await place(app, requestId, customer, [[sku, 1]])).order!);
  expect(new Set(retried.map((o) => o.orderId)).size).toBe(6);
  expect((await app.orders.listOrders({ customerId: customer })).orders).toHaveLength(6);
  const byAge = [...retried].sort((a, b) => a.createTime!.getTime() - b.createTime!.getTime() || (a.orderId < b.orderId ? -1 : 1));
  expect(byAge.map((o) => o.lines[0].allocatedQuantity)).toEqual([1, 1, 1, 1, 0, 0]); // 4 on hand, first come first served
  await expectReservedMatches(app, sku, 4);
  await expectDemandConservedOnceDelivered(databaseUrl);
});

describe.each(['allocation.planned', 'allocation.reserved'])('a crash during ApplyReceipt at %s', (crashPoint) => {
  it('is finished on restart: the waiting line gets the receipt exactly once', async () => {
    const sku = `CRA-${crashPoint.split('.')[1]}`;
    let orderId = '';
    app = await crashDuring(
      crashPoint,
      async (c) => {
        await seed(c, sku, 0);
        orderId = (await place(c, `req-${sku}`, `crash-${sku}`, [[sku, 4]])).order!.orderId;
      },
      (c) => c.orders.applyReceipt({ receiptId: `rcpt-${sku}`, sku, quantity: 3 }),
    );
    await waitFor(async () => (await app!.orders.getOrder({ orderId })).order?.lines[0].allocatedQuantity === 3, { what: 'recovery to allocate', timeoutMs: 60_000 });
    const retried = await app.orders.applyReceipt({ receiptId: `rcpt-${sku}`, sku, quantity: 3 });
    expect(retried.allocations.map((a) => a.quantity)).toEqual([3]);
    expect((await app.inventory.getStock({ sku })).stock).toMatchObject({ onHand: 3, reserved: 3 });
    await expectDemandConservedOnceDelivered(databaseUrl);
  });
});
