import { Priority } from '../src/gen/restock/common/v1/priority';
import { EtaSource, FulfillmentPolicy, OrderStatus } from '../src/gen/restock/orders/v1/order';
import { PurchaseOrderStatus, ReleaseTrigger } from '../src/gen/restock/procurement/v1/purchase_order';
import { startTestApp, waitFor, type TestApp } from './support/harness';
import { expectDemandConserved } from './support/invariants';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// The whole product in one story, with every service, the outbox and the mailer running as in production.
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

const mailTo = (address: string, subject?: RegExp) => smtp.to(address, subject);

it('turns backorders into a purchase order and its delivery into filled, shipped orders', async () => {
  await t.inventory.upsertProduct({
    product: { sku: 'ANVIL', name: 'Anvil', unitPrice: { currencyCode: 'EUR', units: 40, nanos: 0 }, backorderPolicy: { acceptBackorders: true } },
  });
  await t.inventory.adjustStock({ requestId: 'count-anvil', sku: 'ANVIL', delta: 2, reason: 'stock count' });
  await t.procurement.upsertSupplier({
    supplier: { supplierId: 'ACME', name: 'Acme', email: 'po@acme.example', timeZone: 'Europe/Berlin', quotedLeadTimeDays: 5, currencyCode: 'EUR' },
  });
  await t.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId: 'ACME', sku: 'ANVIL', supplierSku: 'AC-ANV', unitCost: { currencyCode: 'EUR', units: 10, nanos: 0 }, packSize: 5 },
  });

  // Ann orders 5 with 2 on hand: 2 reserved, 3 backordered and buffered at Acme.
  const { order: ann } = await t.orders.placeOrder({
    requestId: 'ann-1',
    customerId: 'ann',
    customerEmail: 'ann@example.com',
    priority: Priority.PRIORITY_STANDARD,
    fulfillmentPolicy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_COMPLETE,
    lines: [{ sku: 'ANVIL', quantity: 5 }],
  });
  expect(ann!.status).toBe(OrderStatus.ORDER_STATUS_AWAITING_STOCK);
  expect(ann!.lines[0]).toMatchObject({ allocatedQuantity: 2, backorderedQuantity: 3 });
  // Vic, a VIP, orders 4 later: nothing is free, all 4 wait, ahead of Ann.
  const { order: vic } = await t.orders.placeOrder({
    requestId: 'vic-1',
    customerId: 'vic',
    customerEmail: 'vic@example.com',
    priority: Priority.PRIORITY_VIP,
    fulfillmentPolicy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
    lines: [{ sku: 'ANVIL', quantity: 4 }],
  });
  expect(vic!.lines[0]).toMatchObject({ allocatedQuantity: 0, backorderedQuantity: 4 });
  await waitFor(async () => (await t.procurement.getBuffer({ supplierId: 'ACME' })).buffer?.totalQuantity === 7, { what: 'demand in the buffer' });
  await waitFor(() => mailTo('ann@example.com').length === 1 && mailTo('vic@example.com').length === 1, { what: 'order confirmations' });
  expect(mailTo('ann@example.com')[0].text).toMatch(/backorder/i);

  // The planner releases now: one PO, 7 demanded rounded up to 2 packs of 5, emailed to Acme.
  const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId: 'ACME', force: true });
  expect(purchaseOrders).toHaveLength(1);
  const [po] = purchaseOrders;
  expect(po.trigger).toBe(ReleaseTrigger.RELEASE_TRIGGER_MANUAL);
  expect(po.lines).toMatchObject([{ sku: 'ANVIL', supplierSku: 'AC-ANV', quantity: 10, demandedQuantity: 7 }]);
  await waitFor(async () => (await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder?.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT, {
    what: 'the PO to be sent',
  });
  expect(mailTo('po@acme.example', new RegExp(po.number))).toHaveLength(1);
  expect((await t.procurement.getBuffer({ supplierId: 'ACME' })).buffer?.totalQuantity).toBe(0);

  // The queue is in allocation order, and the waiting lines expect the PO.
  const queue = await waitFor(async () => {
    const { backorders } = await t.orders.listBackorders({ sku: 'ANVIL' });
    return backorders.every((b) => b.eta?.source === EtaSource.ETA_SOURCE_PURCHASE_ORDER) && backorders;
  }, { what: 'ETAs from the PO' });
  expect(queue.map((b) => [b.orderId, b.position, b.backorderedQuantity])).toEqual([
    [vic!.orderId, 1, 4],
    [ann!.orderId, 2, 3],
  ]);
  expect(queue[0].eta?.purchaseOrderId).toBe(po.purchaseOrderId);
  await expectDemandConserved({ procurement: t.databaseUrl, orders: t.databaseUrl }); // all 7 units on the PO

  // Acme confirms and delivers all 10: Vic gets 4, Ann her 3, 3 are surplus stock.
  await t.procurement.confirmPurchaseOrder({
    purchaseOrderId: po.purchaseOrderId,
    promisedTime: new Date(Date.now() + 5 * 86_400_000),
    lines: [{ sku: 'ANVIL', confirmedQuantity: 10 }],
  });
  await t.procurement.receivePurchaseOrder({ receiptId: 'acme-delivery-1', purchaseOrderId: po.purchaseOrderId, lines: [{ sku: 'ANVIL', quantity: 10 }] });
  await waitFor(async () => {
    const [a, v] = await Promise.all([t.orders.getOrder({ orderId: ann!.orderId }), t.orders.getOrder({ orderId: vic!.orderId })]);
    return a.order?.status === OrderStatus.ORDER_STATUS_READY_TO_SHIP && v.order?.status === OrderStatus.ORDER_STATUS_READY_TO_SHIP;
  }, { what: 'both orders to be filled' });
  expect((await t.inventory.getStock({ sku: 'ANVIL' })).stock).toEqual({ sku: 'ANVIL', onHand: 12, reserved: 9, available: 3 });
  expect((await t.orders.listBackorders({ sku: 'ANVIL' })).backorders).toEqual([]);
  expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder?.status).toBe(
    PurchaseOrderStatus.PURCHASE_ORDER_STATUS_RECEIVED,
  );
  expect((await t.procurement.getLeadTimeStats({ supplierId: 'ACME' })).stats?.observations).toBe(1);
  await expectDemandConserved({ procurement: t.databaseUrl, orders: t.databaseUrl }); // all 7 allocated

  // Ann's order ships complete, with tracking in her email.
  const { order: shipped } = await t.orders.shipOrder({ orderId: ann!.orderId, shipmentId: 'ship-ann-1', carrier: 'DHL', trackingNumber: 'JD0001' });
  expect(shipped!.status).toBe(OrderStatus.ORDER_STATUS_SHIPPED);
  // Inventory consumes the shipped reservation through the outbox.
  await waitFor(async () => (await t.inventory.getStock({ sku: 'ANVIL' })).stock?.onHand === 7, { what: 'the shipment to leave stock' });
  expect((await t.inventory.getStock({ sku: 'ANVIL' })).stock).toEqual({ sku: 'ANVIL', onHand: 7, reserved: 4, available: 3 });
  await waitFor(() => mailTo('ann@example.com').some((m) => m.text?.includes('JD0001')), { what: 'the shipping email' });
});
