import { EtaSource } from '../src/gen/restock/orders/v1/order';
import type { QuoteSupplyRequest } from '../src/gen/restock/procurement/v1/procurement_service';
import { etaRefresher, refreshEtas } from '../src/orders/eta-refresh';
import type { Peers } from '../src/platform/service-module';
import { query } from './support/db';
import { startTestApp, type TestApp } from './support/harness';
import { order, ordersDeps, product, settleAll } from './support/fixtures';
import { seedSupplier } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// ETAs come from the real Procurement service's supply forecast; an ETA that slips by a day or more is emailed once.
let t: TestApp;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const DAY = 86_400_000;

it('follows the forecast from buffer to purchase order and emails the customer once when the ETA slips', async () => {
  await product(t, 'ETA-1');
  await t.procurement.upsertSupplier({
    supplier: { supplierId: 'ETA-SUP', name: 'Eta Supplies', email: 'po@eta.example', timeZone: 'Etc/UTC', quotedLeadTimeDays: 10, currencyCode: 'EUR' },
  });
  await t.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId: 'ETA-SUP', sku: 'ETA-1', supplierSku: 'E1', unitCost: { currencyCode: 'EUR', units: 2, nanos: 0 }, packSize: 1 },
  });
  const { order: placed } = await order(t, [['ETA-1', 3]], { customer: 'eve' });
  const told = placed!.lines[0].eta!;
  expect(told.source).toBe(EtaSource.ETA_SOURCE_BUFFER); // quoted where the demand goes, before it got there
  expect(told.expectedTime!.getTime()).toBeGreaterThan(Date.now());

  await settleAll(t); // RecordDemand reaches the buffer
  await t.orders.refreshEtas({ skus: ['ETA-1'] });
  const buffered = (await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines[0].eta!;
  expect(buffered).toEqual(told); // the forecast agrees with what the confirmation said

  const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId: 'ETA-SUP', force: true });
  await settleAll(t);
  await t.orders.refreshEtas({ skus: ['ETA-1'] });
  const onPo = (await t.orders.listBackorders({ sku: 'ETA-1' })).backorders[0].eta!;
  expect([onPo.source, onPo.purchaseOrderId]).toEqual([EtaSource.ETA_SOURCE_PURCHASE_ORDER, purchaseOrders[0].purchaseOrderId]);

  const promised = new Date(Date.now() + 40 * DAY);
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: purchaseOrders[0].purchaseOrderId, promisedTime: promised, lines: [{ sku: 'ETA-1', confirmedQuantity: 3 }] });
  await settleAll(t);
  await t.orders.refreshEtas({ skus: ['ETA-1'] });
  await t.orders.refreshEtas({ skus: ['ETA-1'] }); // nothing moved: no second email
  await settleAll(t);
  const line = (await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines[0];
  expect(line.eta?.expectedTime?.toISOString().slice(0, 10)).toBe(promised.toISOString().slice(0, 10));

  const delayed = smtp.to('eve@example.com').filter((m) => m.subject === `Order ${placed!.orderId}: Product ETA-1 (SKU ETA-1) is delayed`);
  expect(delayed).toHaveLength(1);
  expect(delayed[0].text).toContain(`now expected on ${promised.toISOString().slice(0, 10)}`);
});

/** The app's peers, with Procurement's QuoteSupply answered by quote (which may call the real one). */
function quotingWith(quote: (request: QuoteSupplyRequest) => Promise<unknown>): Peers {
  const real = t.app.peers.procurement as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const procurement = new Proxy(real, { get: (target, method: string) => (method === 'quoteSupply' ? quote : target[method]) });
  return { ...t.app.peers, procurement: procurement as unknown as Peers['procurement'] };
}

/** One order per SKU (none in stock), waiting on the supplier's buffer, and the ETA each was told. */
async function waitingOrders(supplierId: string, skus: string[]): Promise<Map<string, unknown>> {
  for (const sku of skus) await product(t, sku);
  await seedSupplier(t, supplierId, {}, skus.map((sku) => ({ sku })));
  const told = new Map<string, unknown>();
  for (const sku of skus) told.set(sku, (await order(t, [[sku, 2]], { customer: `${sku}-buyer` })).order!.lines[0].eta);
  await settleAll(t);
  return told;
}

const etasOf = async (skus: string[]) =>
  new Map((await query<{ sku: string; etaSource: number | null }>(t.databaseUrl, 'SELECT sku, eta_source FROM orders.order_line WHERE sku = ANY($1)', [skus])).map((r) => [r.sku, r.etaSource]));

it('refreshes arriving together read the forecast once and are applied together, each call told its own SKUs\' changes', async () => {
  const skus = Array.from({ length: 8 }, (_, i) => `ETA-BURST-${i}`);
  const told = await waitingOrders('ETA-BURST', skus);
  // every line forgets its ETA, as if each change to the forecast had been missed
  await query(t.databaseUrl, 'UPDATE orders.order_line SET eta_expected = NULL, eta_latest = NULL, eta_source = NULL, eta_purchase_order_id = NULL WHERE sku = ANY($1)', [skus]);
  const asked: string[][] = [];
  const refresh = etaRefresher(ordersDeps(t, quotingWith((request) => {
    asked.push(request.demands.map((d) => d.sku));
    return t.app.peers.procurement.quoteSupply(request);
  })));
  // made in one go: the first starts a refresh at once, the rest wait for it and go together in the next
  const changed = await Promise.all([...skus.map((sku) => refresh([sku])), refresh([skus[2], skus[1]])]);
  expect(asked).toEqual([[skus[0]], skus.slice(1)]);
  expect(changed).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2]);
  for (const sku of skus) {
    const [waiting] = (await t.orders.listBackorders({ sku })).backorders;
    expect([sku, waiting.eta]).toEqual([sku, told.get(sku)]);
  }
});

it('a refresh Procurement cannot answer fails UNAVAILABLE and keeps every ETA', async () => {
  await waitingOrders('ETA-DOWN', ['ETA-DOWN-1']);
  const before = await etasOf(['ETA-DOWN-1']);
  expect(before.get('ETA-DOWN-1')).toBe(EtaSource.ETA_SOURCE_BUFFER);
  const down = quotingWith(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')));
  await expect(refreshEtas(ordersDeps(t, down), ['ETA-DOWN-1'])).rejects.toMatchObject({ kind: 'UNAVAILABLE', reason: 'PEER_UNAVAILABLE' });
  expect(await etasOf(['ETA-DOWN-1'])).toEqual(before);
});
