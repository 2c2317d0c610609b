import { status } from '@grpc/grpc-js';
import { FulfillmentPolicy, OrderStatus, type Order } from '../src/gen/restock/orders/v1/order';
import type { ListOrdersRequest } from '../src/gen/restock/orders/v1/orders_service';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { order, product, settle } from './support/fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// The warehouse's view over real gRPC: every customer's orders by status and "can ship now", newest first in
// keyset pages; GetOrder with its shipments; the shipped email with the estimated delivery date.
let t: TestApp;
let smtp: TestSmtpServer;
let now = new Date('2026-05-04T08:00:00Z');
const clock = { now: () => now };
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t?.stop();
  await smtp?.close();
});

const { FULFILLMENT_POLICY_SHIP_COMPLETE: COMPLETE } = FulfillmentPolicy;
const { ORDER_STATUS_AWAITING_STOCK: AWAITING, ORDER_STATUS_READY_TO_SHIP: READY, ORDER_STATUS_SHIPPED: SHIPPED, ORDER_STATUS_CANCELLED: CANCELLED } = OrderStatus;
const o: Record<string, Order> = {};
const delivery = new Date('2026-05-07T15:00:00Z');

/** Every page of a listing, with the page size given. */
async function allPages(request: Partial<ListOrdersRequest>, pageSize: number): Promise<string[][]> {
  const pages: string[][] = [];
  let pageToken = '';
  do {
    const page = await t.orders.listOrders({ ...request, pageSize, pageToken });
    pages.push(page.orders.map((x) => x.orderId));
    pageToken = page.nextPageToken;
  } while (pageToken !== '' && pages.length < 20);
  return pages;
}

beforeAll(async () => {
  await product(t, 'WH-STOCK', { onHand: 100 });
  await product(t, 'WH-NONE');
  const place = async (name: string, lines: [string, number][], options: Parameters<typeof order>[2] = {}) => {
    now = minutes(1);
    o[name] = (await order(t, lines, { customer: 'wh-cust', ...options })).order!;
  };
  await place('ready', [['WH-STOCK', 1]]);
  await place('waiting', [['WH-NONE', 1]]);
  await place('partNow', [['WH-STOCK', 1], ['WH-NONE', 1]]);
  await place('partComplete', [['WH-STOCK', 1], ['WH-NONE', 1]], { policy: COMPLETE });
  await place('shipped', [['WH-STOCK', 2]]);
  now = minutes(1);
  await t.orders.shipOrder({ orderId: o.shipped.orderId, shipmentId: 'wh-ship-1', carrier: 'DHL', trackingNumber: 'DHL-1', estimatedDeliveryTime: delivery });
  await place('cancelled', [['WH-NONE', 1]]);
  await t.orders.cancelOrder({ orderId: o.cancelled.orderId, reason: 'no longer needed' });
  await place('partShipped', [['WH-STOCK', 1], ['WH-NONE', 1]]);
  await t.orders.shipOrder({ orderId: o.partShipped.orderId, shipmentId: 'wh-ship-2', carrier: 'UPS', trackingNumber: 'UPS-2' });
  await place('otherReady', [['WH-STOCK', 2]], { customer: 'wh-other' });
});

const idsOf = (...names: string[]) => names.map((name) => o[name].orderId);
const newestFirst = ['otherReady', 'partShipped', 'cancelled', 'shipped', 'partComplete', 'partNow', 'waiting', 'ready'];

it('lists every customer\'s orders newest first, in keyset pages', async () => {
  const { orders, nextPageToken } = await t.orders.listOrders({});
  expect(orders.map((x) => x.orderId)).toEqual(idsOf(...newestFirst));
  expect(nextPageToken).toBe('');
  expect((await allPages({}, 3)).flat()).toEqual(idsOf(...newestFirst));
  expect(await allPages({}, 3)).toHaveLength(3);
  expect((await t.orders.listOrders({ customerId: 'wh-other' })).orders.map((x) => x.orderId)).toEqual(idsOf('otherReady'));
});

it('filters by one or more statuses', async () => {
  const list = async (statuses: OrderStatus[]) => (await t.orders.listOrders({ statuses })).orders.map((x) => x.orderId);
  expect(await list([AWAITING])).toEqual(idsOf('partComplete', 'partNow', 'waiting'));
  expect(await list([READY, SHIPPED])).toEqual(idsOf('otherReady', 'shipped', 'ready'));
  expect(await list([CANCELLED])).toEqual(idsOf('cancelled'));
  expect(await list([OrderStatus.ORDER_STATUS_PARTIALLY_SHIPPED])).toEqual(idsOf('partShipped'));
  expect((await allPages({ statuses: [AWAITING, CANCELLED] }, 1)).flat()).toEqual(idsOf('cancelled', 'partComplete', 'partNow', 'waiting'));
});

it('lists the orders with units to ship now: READY_TO_SHIP, and ship-what-is-here orders with allocated units while other lines wait', async () => {
  const { orders } = await t.orders.listOrders({ readyToShipNow: true });
  expect(orders.map((x) => x.orderId)).toEqual(idsOf('otherReady', 'partNow', 'ready'));
  expect(orders.map((x) => [OrderStatus[x.status], x.readyToShipNow])).toEqual([
    ['ORDER_STATUS_READY_TO_SHIP', true],
    ['ORDER_STATUS_AWAITING_STOCK', true], // it waits for WH-NONE, yet its WH-STOCK unit can ship
    ['ORDER_STATUS_READY_TO_SHIP', true],
  ]);
  expect(await allPages({ readyToShipNow: true }, 1)).toEqual([idsOf('otherReady'), idsOf('partNow'), idsOf('ready')]);
  expect((await t.orders.listOrders({ readyToShipNow: true, statuses: [AWAITING] })).orders.map((x) => x.orderId)).toEqual(idsOf('partNow'));
  expect((await t.orders.listOrders({ readyToShipNow: true, customerId: 'wh-other' })).orders.map((x) => x.orderId)).toEqual(idsOf('otherReady'));
  const all = (await t.orders.listOrders({})).orders;
  expect(Object.fromEntries(all.map((x) => [x.orderId, x.readyToShipNow]))).toEqual(
    Object.fromEntries(newestFirst.map((name) => [o[name].orderId, ['otherReady', 'partNow', 'ready'].includes(name)])),
  );
  expect([o.ready.readyToShipNow, o.partNow.readyToShipNow, o.partComplete.readyToShipNow, o.waiting.readyToShipNow]).toEqual([true, true, false, false]);
});

it('a ship-complete order joins the list once its last waiting unit is allocated', async () => {
  await t.orders.applyReceipt({ receiptId: 'wh-receipt', sku: 'WH-NONE', quantity: 1 }); // the oldest waiting line first: "waiting"
  await t.orders.applyReceipt({ receiptId: 'wh-receipt-2', sku: 'WH-NONE', quantity: 2 }); // then partNow, partComplete
  const ready = (await t.orders.listOrders({ readyToShipNow: true })).orders.map((x) => x.orderId);
  expect(ready).toEqual(idsOf('otherReady', 'partComplete', 'partNow', 'waiting', 'ready'));
});

it('returns the shipments of an order with carrier, tracking number, lines, time and estimated delivery', async () => {
  const shipped = (await t.orders.getOrder({ orderId: o.shipped.orderId })).order!;
  expect(shipped.shipments).toEqual([
    {
      shipmentId: 'wh-ship-1',
      carrier: 'DHL',
      trackingNumber: 'DHL-1',
      lines: [{ lineId: o.shipped.lines[0].lineId, sku: 'WH-STOCK', quantity: 2 }],
      shipTime: new Date('2026-05-04T08:06:00Z'),
      estimatedDeliveryTime: delivery,
    },
  ]);
  const partial = (await t.orders.getOrder({ orderId: o.partShipped.orderId })).order!;
  expect(partial.shipments).toEqual([
    {
      shipmentId: 'wh-ship-2',
      carrier: 'UPS',
      trackingNumber: 'UPS-2',
      lines: [{ lineId: o.partShipped.lines[0].lineId, sku: 'WH-STOCK', quantity: 1 }],
      shipTime: new Date('2026-05-04T08:08:00Z'),
      estimatedDeliveryTime: undefined,
    },
  ]);
  expect((await t.orders.getOrder({ orderId: o.waiting.orderId })).order!.shipments).toEqual([]);
  expect((await t.orders.listOrders({ statuses: [SHIPPED] })).orders[0].shipments.map((s) => s.shipmentId)).toEqual(['wh-ship-1']);
});

it('names the carrier, the tracking number and the estimated delivery date (when given) in the shipped email', async () => {
  await settle(t);
  const shipped = smtp.to('wh-cust@example.com').filter((m) => m.subject?.endsWith('has shipped'));
  expect(shipped.map((m) => m.subject)).toEqual([`Order ${o.shipped.orderId} has shipped`, `Order ${o.partShipped.orderId} has shipped`]);
  expect(shipped[0].text).toContain('is on its way with DHL.');
  expect(shipped[0].text).toContain('Tracking number: DHL-1');
  expect(shipped[0].text).toContain('Estimated delivery: 2026-05-07');
  expect(shipped[0].html).toContain('Estimated delivery: 2026-05-07');
  expect(shipped[1].text).toContain('Tracking number: UPS-2');
  expect(shipped[1].text).not.toContain('Estimated delivery');
});

it('refuses bad filters and page tokens with INVALID_ARGUMENT, and is open to the warehouse role', async () => {
  const unspecified = await grpcError(t.orders.listOrders({ statuses: [READY, OrderStatus.ORDER_STATUS_UNSPECIFIED] }));
  expect([unspecified.code, unspecified.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['statuses[1]']]);
  const token = await grpcError(t.orders.listOrders({ pageToken: Buffer.from('["x","y"]').toString('base64url') }));
  expect([token.code, token.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['page_token']]);
  const badTime = await grpcError(t.orders.shipOrder({ orderId: o.ready.orderId, shipmentId: 'wh-bad', carrier: 'DHL', trackingNumber: 'X', estimatedDeliveryTime: new Date('1960-01-01T00:00:00Z') }));
  expect([badTime.code, badTime.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['estimated_delivery_time']]);
  const warehouse = t.clientsAs({ sub: 'picker', roles: ['warehouse'] });
  expect((await warehouse.orders.listOrders({ readyToShipNow: true })).orders.length).toBe(5);
});
