import { EtaSource } from '../src/gen/restock/orders/v1/order';
import { startTestApp, type TestApp } from './support/harness';
import { order, product, settleAll } from './support/fixtures';
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
