import { EtaSource } from '../src/gen/restock/orders/v1/order';
import { query } from './support/db';
import { order, product, settleAll } from './support/fixtures';
import { startTestApp, type TestApp } from './support/harness';
import { seedSupplier, TestClock } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// An overdue PO is forecast in the future, and the daily task moves customers' ETAs (and emails them) off a date that passed.
const T0 = new Date('2026-03-02T08:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const clock = new TestClock(T0);
let t: TestApp;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

/** A release schedule that never fires in these tests: POs are released by hand. */
const NEW_YEAR = '0 10 1 1 *';

/** Delivers every service's outbox (emails, demand, ETA refreshes, task runs) until nothing is due. */
/** Runs the daily overdue task the way the scheduler does: a claimed tick in Procurement's outbox. */
async function runOverdueTask(tick: string): Promise<void> {
  await query(t.databaseUrl, "INSERT INTO procurement.outbox (topic, dedupe_key, payload) VALUES ('scheduler.run-task', $1, $2)", [
    `task:procurement.overdue-etas:${tick}`,
    JSON.stringify({ task: 'procurement.overdue-etas', tick }),
  ]);
  await settleAll(t);
}

it('flags the PO overdue once its promise passed, forecasts it ahead of now, and the daily task re-dates and emails the customer', async () => {
  await product(t, 'OVD-1');
  // paused: the buffer has no release date, so the customer's first known date is the PO's
  await seedSupplier(t, 'OVD', { paused: true }, [{ sku: 'OVD-1' }]);
  const { order: placed } = await order(t, [['OVD-1', 3]], { customer: 'olga' });
  await settleAll(t);
  const lineEta = async () => (await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines[0].eta!;
  const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'OVD', force: true })).purchaseOrders;
  await settleAll(t); // the PO email goes out (sent at T0): expected a quoted 7 days later
  expect(await lineEta()).toMatchObject({ source: EtaSource.ETA_SOURCE_PURCHASE_ORDER, expectedTime: at(7), purchaseOrderId: po.purchaseOrderId });
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: at(5) });
  await settleAll(t);
  expect((await lineEta()).expectedTime).toEqual(at(5));

  // Another supplier's PO, promised later, is not overdue.
  await product(t, 'OVD-2');
  await seedSupplier(t, 'OVD-LATER', { releaseSchedule: NEW_YEAR }, [{ sku: 'OVD-2' }]);
  await t.procurement.recordDemand({ demandId: 'ovd-later-1', sku: 'OVD-2', quantity: 1 });
  const [later] = (await t.procurement.evaluateBuffers({ supplierId: 'OVD-LATER', force: true })).purchaseOrders;
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: later.purchaseOrderId, promisedTime: at(30) });
  expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!.overdue).toBe(false);

  // 20 days on, nothing arrived: the PO is overdue, and its forecast is the first whole week after its promise
  // (day 5) that is at least a day from now (no lateness measured yet): day 26.
  clock.time = at(20);
  expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!.overdue).toBe(true);
  const listed = (await t.procurement.listPurchaseOrders({ overdue: true })).purchaseOrders;
  expect(listed.map((o) => [o.number, o.overdue])).toEqual([[po.number, true]]);
  expect((await t.procurement.listPurchaseOrders({})).purchaseOrders.find((o) => o.number === later.number)!.overdue).toBe(false);
  expect((await t.procurement.getSupplyForecast({ sku: 'OVD-1' })).arrivals).toEqual([
    { expectedTime: at(26), latestTime: at(26), quantity: 3, source: expect.anything(), purchaseOrderId: po.purchaseOrderId },
  ]);
  // Nothing told the customer yet: the line still holds the promise that passed.
  expect((await lineEta()).expectedTime).toEqual(at(5));
  const delayed = () => smtp.to('olga@example.com', /\(SKU OVD-1\) is delayed/);
  expect(delayed()).toHaveLength(0);

  await runOverdueTask(at(20).toISOString());
  expect(await lineEta()).toMatchObject({ source: EtaSource.ETA_SOURCE_PURCHASE_ORDER, expectedTime: at(26), purchaseOrderId: po.purchaseOrderId });
  expect(delayed()).toHaveLength(1);
  expect(delayed()[0].text).toContain('now expected on 2026-03-28 instead of 2026-03-09');

  // Another run the same day, or on the following days of that week, changes nothing and sends nothing more.
  await runOverdueTask(new Date(at(20).getTime() + 3_600_000).toISOString());
  for (const dayOn of [21, 24]) {
    clock.time = at(dayOn);
    await runOverdueTask(at(dayOn).toISOString());
  }
  expect((await lineEta()).expectedTime).toEqual(at(26));
  expect(delayed()).toHaveLength(1);
  // Still missing when that day comes: a week later, and one more email.
  clock.time = at(26);
  await runOverdueTask(at(26).toISOString());
  expect((await lineEta()).expectedTime).toEqual(at(33));
  expect(delayed()).toHaveLength(2);
});

it('forecasts an overdue PO at least the supplier\'s measured average lateness from now, in whole weeks after its promise', async () => {
  const start = clock.now().getTime();
  const day = (days: number) => new Date(start + days * DAY);
  await seedSupplier(t, 'LATE', { releaseSchedule: NEW_YEAR }, [{ sku: 'LATE-1' }]);
  // A first PO, promised for day 2, arrives on day 5: three days late.
  await t.procurement.recordDemand({ demandId: 'late-1', sku: 'LATE-1', quantity: 2 });
  const [first] = (await t.procurement.evaluateBuffers({ supplierId: 'LATE', force: true })).purchaseOrders;
  await settleAll(t);
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: first.purchaseOrderId, promisedTime: day(2) });
  await t.procurement.receivePurchaseOrder({ receiptId: 'late-r1', purchaseOrderId: first.purchaseOrderId, lines: [{ sku: 'LATE-1', quantity: 2 }], receivedTime: day(5) });
  expect((await t.procurement.getSupplierScorecard({ supplierId: 'LATE' })).scorecard!.overall!.averageLatenessDays).toBe(3);

  // A second PO, promised for day 1, is still missing on day 10: due at least 3 days on (day 13), so on day 15.
  await t.procurement.recordDemand({ demandId: 'late-2', sku: 'LATE-1', quantity: 4 });
  const [second] = (await t.procurement.evaluateBuffers({ supplierId: 'LATE', force: true })).purchaseOrders;
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: second.purchaseOrderId, promisedTime: day(1) });
  clock.time = day(10);
  expect((await t.procurement.getSupplyForecast({ sku: 'LATE-1' })).arrivals.map((a) => [a.purchaseOrderId, a.quantity, a.expectedTime])).toEqual([
    [second.purchaseOrderId, 4, day(15)],
  ]);
});
