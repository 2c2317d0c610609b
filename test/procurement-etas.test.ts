import { Priority } from '../src/gen/restock/common/v1/priority';
import { EtaSource, FulfillmentPolicy } from '../src/gen/restock/orders/v1/order';
import { PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { startTestApp, waitFor, type TestApp } from './support/harness';
import { eur, supplierOf } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Procurement's forecast changes reach the real Orders service through the outbox.
let t: TestApp;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const DAY = 86_400_000;

it('moves a waiting line ETA onto the PO, then to the promised date, and emails the customer once it slips', async () => {
  await t.inventory.upsertProduct({ product: { sku: 'ETA-1', name: 'Eta', unitPrice: eur(500), backorderPolicy: { acceptBackorders: true } } });
  await t.procurement.upsertSupplier({ supplier: { ...supplierOf('ETA-SUP'), quotedLeadTimeDays: 7 } });
  await t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'ETA-SUP', sku: 'ETA-1', supplierSku: 'E-1', unitCost: eur(200), packSize: 1 } });
  const { order } = await t.orders.placeOrder({
    requestId: 'eta-order',
    customerId: 'cleo',
    customerEmail: 'cleo@example.com',
    priority: Priority.PRIORITY_STANDARD,
    fulfillmentPolicy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
    lines: [{ sku: 'ETA-1', quantity: 3 }],
  });
  const lineEta = async () => (await t.orders.getOrder({ orderId: order!.orderId })).order!.lines[0].eta;
  await waitFor(async () => (await t.procurement.getBuffer({ supplierId: 'ETA-SUP' })).buffer?.totalQuantity === 3, { what: 'the demand in the buffer' });

  const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'ETA-SUP', force: true })).purchaseOrders;
  const sent = (await waitFor(async () => {
    const { purchaseOrder } = await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId });
    return purchaseOrder?.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT ? purchaseOrder : null;
  }, { what: 'the PO sent' }))!;
  const onPo = (await waitFor(async () => {
    const eta = await lineEta();
    return eta?.source === EtaSource.ETA_SOURCE_PURCHASE_ORDER && eta.expectedTime?.getTime() === sent.sendTime!.getTime() + 7 * DAY ? eta : null;
  }, { what: 'the ETA from the sent PO' }))!;
  expect(onPo.purchaseOrderId).toBe(po.purchaseOrderId);

  const promisedTime = new Date(sent.sendTime!.getTime() + 30 * DAY);
  await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime });
  await waitFor(async () => (await lineEta())?.expectedTime?.getTime() === promisedTime.getTime(), { what: 'the ETA at the promised date' });
  const delayedMails = () => smtp.to('cleo@example.com', /delayed/);
  await waitFor(() => delayedMails().length > 0, { what: 'the ETA-slipped email' });
  const slipped = delayedMails();
  expect(slipped).toHaveLength(1);
  expect(slipped[0].text).toContain(promisedTime.toISOString().slice(0, 10));
});
