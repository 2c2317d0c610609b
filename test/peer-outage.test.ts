import { status } from '@grpc/grpc-js';
import { OrderStatus } from '../src/gen/restock/orders/v1/order';
import { PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { query } from './support/db';
import { createTestDatabase } from './support/databases';
import { order, product } from './support/fixtures';
import { freePort } from './support/global-setup';
import { grpcError, startTestApp, waitFor, type TestApp } from './support/harness';

// Each service in a process of its own, on one database, as they are deployed; the test stops and starts
// them on fixed ports. A call that needs a peer that is down answers UNAVAILABLE (never INTERNAL), and
// outbox messages for a peer that is down wait and are delivered once it is back.

let databaseUrl: string;
const ports = { inventory: 0, orders: 0, procurement: 0 };
const running: Partial<Record<keyof typeof ports, TestApp>> = {};

/** Starts service alone on its port, its peers at theirs (running or not). */
async function start(service: keyof typeof ports, overrides: { background?: boolean } = {}): Promise<TestApp> {
  running[service] = await startTestApp({
    databaseUrl,
    ...overrides,
    env: {
      SERVICES: service,
      GRPC_PORT: String(ports[service]),
      INVENTORY_ADDR: `127.0.0.1:${ports.inventory}`,
      ORDERS_ADDR: `127.0.0.1:${ports.orders}`,
      PROCUREMENT_ADDR: `127.0.0.1:${ports.procurement}`,
      AUTH_JWT_SECRET: 'peer-outage-test-secret-0123456789-abcdef',
    },
  });
  return running[service]!;
}

async function stop(service: keyof typeof ports): Promise<void> {
  await running[service]?.stop();
  delete running[service];
}

/** The outbox message of topic in schema whose payload mentions marker. */
async function messageAbout(schema: string, topic: string, marker: string) {
  const rows = await query<{ status: string; attempts: number; lastError: string | null }>(
    databaseUrl,
    `SELECT status, attempts, last_error FROM ${schema}.outbox WHERE topic = $1 AND payload::text LIKE $2 ORDER BY id`,
    [topic, `%${marker}%`],
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0];
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  ports.inventory = await freePort();
  ports.orders = await freePort();
  ports.procurement = await freePort();
});
afterAll(async () => {
  for (const service of Object.keys(running) as (keyof typeof ports)[]) await stop(service);
});

it('PlaceOrder answers UNAVAILABLE while Inventory is down, and the same request places the order once when it is back', async () => {
  const inventory = await start('inventory');
  await product(inventory, 'PEER-1', { onHand: 5 });
  await stop('inventory');
  const orders = await start('orders');

  const request = { requestId: 'peer-down-1', customer: 'peer-ann' };
  for (let i = 0; i < 2; i++) {
    const error = await grpcError(order(orders, [['PEER-1', 2]], request));
    expect([status[error.code], error.reason, error.metadata.peer]).toEqual(['UNAVAILABLE', 'PEER_UNAVAILABLE', 'inventory']);
  }
  // reads that need no peer still answer
  expect((await orders.orders.listOrders({ customerId: 'peer-ann' })).orders).toEqual([]);

  await start('inventory');
  // the channel to Inventory reconnects with backoff: the client sends the same request again until it is through
  const { order: placed } = await waitFor(() => order(orders, [['PEER-1', 2]], request).catch((error: { code?: number }) => {
      if (error.code !== status.UNAVAILABLE) throw error;
      return null;
    }), { what: 'PlaceOrder once Inventory is back' });
  expect(placed!.lines[0]).toMatchObject({ allocatedQuantity: 2, backorderedQuantity: 0 });
  expect((await order(orders, [['PEER-1', 2]], request)).order!.orderId).toBe(placed!.orderId);
  expect((await orders.orders.listOrders({ customerId: 'peer-ann' })).orders.map((o) => o.orderId)).toEqual([placed!.orderId]);
  expect((await running.inventory!.inventory.getStock({ sku: 'PEER-1' })).stock).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
});

it('messages for a peer that is down wait, and are delivered when it is back: demand to Procurement, a receipt to Orders', async () => {
  // the supplier, while Procurement is up
  const procurement = await start('procurement');
  await procurement.procurement.upsertSupplier({
    supplier: { supplierId: 'PEER-SUP', name: 'Peer Supplies', email: 'po@peer.example', timeZone: 'UTC', quotedLeadTimeDays: 3, currencyCode: 'EUR' },
  });
  await procurement.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId: 'PEER-SUP', sku: 'PEER-2', supplierSku: 'P-2', unitCost: { currencyCode: 'EUR', units: 5, nanos: 0 }, packSize: 1 },
  });
  await stop('procurement');

  // Procurement down: the order is placed (backordered), its demand waits in Orders' outbox
  const orders = running.orders!;
  await product(running.inventory!, 'PEER-2');
  const { order: waiting } = await order(orders, [['PEER-2', 3]], { requestId: 'peer-demand-1', customer: 'peer-bob' });
  expect(waiting!.lines[0]).toMatchObject({ allocatedQuantity: 0, backorderedQuantity: 3 });
  const demand = await waitFor(async () => {
    const message = await messageAbout('orders', 'procurement.record-demand', waiting!.orderId);
    return message && message.attempts >= 2 && message;
  }, { what: 'the demand to fail twice' });
  expect(demand.status).toBe('pending');
  expect(demand.lastError).toMatch(/procurement did not answer \(UNAVAILABLE/);

  await start('procurement');
  await waitFor(async () => (await messageAbout('orders', 'procurement.record-demand', waiting!.orderId))?.status === 'delivered', { what: 'the demand once Procurement is back' });
  expect((await running.procurement!.procurement.getBuffer({ supplierId: 'PEER-SUP' })).buffer?.totalQuantity).toBe(3);

  // a PO for it, received while Orders is down: the receipt waits in Procurement's outbox
  const { purchaseOrders } = await running.procurement!.procurement.evaluateBuffers({ supplierId: 'PEER-SUP', force: true });
  const [po] = purchaseOrders;
  await waitFor(async () => (await running.procurement!.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder?.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT, {
    what: 'the PO to be sent',
  });
  await stop('orders');
  await running.procurement!.procurement.receivePurchaseOrder({ receiptId: 'peer-receipt-1', purchaseOrderId: po.purchaseOrderId, lines: [{ sku: 'PEER-2', quantity: 3 }] });
  const receipt = await waitFor(async () => {
    const message = await messageAbout('procurement', 'orders.apply-receipt', 'peer-receipt-1');
    return message && message.attempts >= 2 && message;
  }, { what: 'the receipt to fail twice' });
  expect(receipt.status).toBe('pending');
  expect(receipt.lastError).toMatch(/orders did not answer \(UNAVAILABLE/);

  const back = await start('orders');
  await waitFor(async () => (await messageAbout('procurement', 'orders.apply-receipt', 'peer-receipt-1'))?.status === 'delivered', { what: 'the receipt once Orders is back' });
  const filled = await waitFor(async () => {
    const { order: now } = await back.orders.getOrder({ orderId: waiting!.orderId });
    return now?.status === OrderStatus.ORDER_STATUS_READY_TO_SHIP && now;
  }, { what: 'the waiting order to be filled' });
  expect(filled.lines[0]).toMatchObject({ allocatedQuantity: 3, backorderedQuantity: 0 });
  expect((await running.inventory!.inventory.getStock({ sku: 'PEER-2' })).stock).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
});

it('orders that waited behind an order left pending get the stock it leaves free once recovery finishes it', async () => {
  await stop('orders');
  const inventory = running.inventory ?? (await start('inventory'));
  await product(inventory, 'PEER-3', { onHand: 5 });
  await stop('inventory');
  // no background work: nothing finishes the pending order until the restart below
  const orders = await start('orders', { background: false });
  const left = await grpcError(order(orders, [['PEER-3', 2]], { requestId: 'peer-left-1', customer: 'peer-cy' }));
  expect(status[left.code]).toBe('UNAVAILABLE');

  await start('inventory');
  // a later order waits behind the pending one (FIFO), although stock is on hand (unless the pending one was
  // finished first: either way, once recovery is done it must hold its unit)
  const { order: behind } = await order(orders, [['PEER-3', 1]], { requestId: 'peer-behind-1', customer: 'peer-dee' });

  await stop('orders');
  const recovered = await start('orders'); // the start-up recovery finishes the pending order
  // recovery runs at start and every 10 s after: on a loaded machine its first run may find a peer not answering
  // yet, and holds the SKU's lock while its Inventory call waits (up to its deadline, retried), so later runs wait
  await waitFor(async () => (await recovered.orders.listOrders({ customerId: 'peer-cy' })).orders.length === 1, { timeoutMs: 120_000, what: 'recovery to place the pending order' });
  const filled = await waitFor(async () => {
    const { order: now } = await recovered.orders.getOrder({ orderId: behind!.orderId });
    return now?.lines[0].allocatedQuantity === 1 && now;
  }, { what: 'the order that waited to get the stock left free' });
  expect(filled.lines[0].backorderedQuantity).toBe(0);
  expect((await running.inventory!.inventory.getStock({ sku: 'PEER-3' })).stock).toMatchObject({ onHand: 5, reserved: 3 });
}, 210_000);
