import { status } from '@grpc/grpc-js';
import { StockMovementKind } from '../src/gen/restock/inventory/v1/stock';
import { EtaSource } from '../src/gen/restock/orders/v1/order';
import { OrderStatus } from '../src/gen/restock/orders/v1/order';
import { eur, supplierOf } from './support/procurement-fixtures';
import { recoverUnfinishedWork } from '../src/orders/recovery';
import { writeOffStock } from '../src/orders/write-offs';
import type { Peers } from '../src/platform/service-module';
import { query } from './support/db';
import { grpcError, startTestApp, type Clients, type TestApp } from './support/harness';
import { order, ordersDeps, product, settle, settleAll } from './support/fixtures';
import { expectOrdersInvariants, expectReservationsAddUp } from './support/invariants';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Writing off damaged or lost units, allocated ones included (OrdersService.WriteOffStock, then Inventory's).
let t: TestApp;
let smtp: TestSmtpServer;
let warehouse: Clients;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, env: { SMTP_URL: smtp.url } });
  warehouse = t.clientsAs({ sub: 'ware-1', roles: ['warehouse'] });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const lineOf = (placed: Awaited<ReturnType<typeof order>>) => ({ orderId: placed.order!.orderId, lineId: placed.order!.lines[0].lineId });

it('takes allocated units from the lines last in allocation order; they wait again at their own place, re-demanded and told', async () => {
  await product(t, 'WO-A', { onHand: 6 });
  const o1 = lineOf(await order(t, [['WO-A', 2]], { customer: 'wa' })); // 2 reserved at placement
  const o2 = lineOf(await order(t, [['WO-A', 3]], { customer: 'wb' })); // 3 reserved
  const o3 = lineOf(await order(t, [['WO-A', 1]], { customer: 'wc' })); // 1 reserved: no stock left
  const o4 = lineOf(await order(t, [['WO-A', 2]], { customer: 'wd' })); // waits for 2
  await settle(t);

  const written = await warehouse.orders.writeOffStock({ requestId: 'wo-1', sku: 'WO-A', quantity: 3, reason: 'pallet dropped' });
  expect(written).toEqual({ freeQuantity: 0, lines: [{ ...o3, quantity: 1 }, { ...o2, quantity: 2 }] });
  expect(await warehouse.orders.writeOffStock({ requestId: 'wo-1', sku: 'WO-A', quantity: 3, reason: 'pallet dropped' })).toEqual(written); // a retry
  const other = await grpcError(warehouse.orders.writeOffStock({ requestId: 'wo-1', sku: 'WO-A', quantity: 2, reason: 'pallet dropped' }));
  expect(other.code).toBe(status.ALREADY_EXISTS);

  // The lines that lost units wait again before o4, which waited longer: their place is their order time.
  const { backorders } = await t.orders.listBackorders({ sku: 'WO-A' });
  expect(backorders.map((b) => [b.lineId, b.backorderedQuantity, b.position])).toEqual([
    [o2.lineId, 2, 1],
    [o3.lineId, 1, 2],
    [o4.lineId, 2, 3],
  ]);
  expect((await t.inventory.getStock({ sku: 'WO-A' })).stock).toEqual({ sku: 'WO-A', onHand: 3, reserved: 3, available: 0 });
  const [movement] = (await t.inventory.listStockMovements({ sku: 'WO-A', pageSize: 1 })).movements;
  expect(movement).toMatchObject({ kind: StockMovementKind.STOCK_MOVEMENT_KIND_WRITE_OFF, onHandDelta: -3, reservedDelta: -3, reason: 'pallet dropped', recordedBy: 'ware-1' });
  const third = (await t.orders.getOrder({ orderId: o3.orderId })).order!;
  expect([third.status, third.lines[0].allocatedQuantity, third.lines[0].backorderedQuantity]).toEqual([OrderStatus.ORDER_STATUS_AWAITING_STOCK, 0, 1]);
  const second = (await t.orders.getOrder({ orderId: o2.orderId })).order!;
  expect([second.status, second.lines[0].allocatedQuantity, second.lines[0].backorderedQuantity]).toEqual([OrderStatus.ORDER_STATUS_AWAITING_STOCK, 1, 2]);

  await settle(t);
  // Their demand is back in Procurement (the SKU has no supplier yet: unassigned), once.
  const demand = await query<{ demandId: string; quantity: number }>(t.databaseUrl, 'SELECT demand_id, quantity FROM procurement.demand WHERE demand_id = ANY($1) ORDER BY demand_id', [
    [o2.lineId, o3.lineId],
  ]);
  expect(demand).toEqual([{ demandId: o2.lineId, quantity: 2 }, { demandId: o3.lineId, quantity: 1 }].sort((a, b) => (a.demandId < b.demandId ? -1 : 1)));
  const [mail, ...more] = smtp.to('wc@example.com').filter((m) => m.subject?.includes('backordered again'));
  expect(more).toEqual([]);
  expect(mail.subject).toBe(`Order ${o3.orderId}: some reserved items are backordered again`);
  expect(mail.text).toContain('WO-A | 1 backordered again | expected unknown');
  expect(smtp.to('wa@example.com').filter((m) => m.subject?.includes('backordered again'))).toEqual([]); // o1 kept its units
  await expectOrdersInvariants(t, 'WO-A');
  await expectReservationsAddUp(t, 'WO-A');

  // Stock arriving goes to them first, at their place.
  const { allocations } = await t.orders.applyReceipt({ receiptId: 'wo-a-r1', sku: 'WO-A', quantity: 3 });
  expect(allocations).toEqual([{ ...o2, quantity: 2 }, { ...o3, quantity: 1 }]);
  await settle(t);
  await expectOrdersInvariants(t, 'WO-A');
});

it('writes off free units first, then units an allocation batch holds', async () => {
  await product(t, 'WO-B');
  const o5 = lineOf(await order(t, [['WO-B', 4]], { customer: 'we' }));
  await t.orders.applyReceipt({ receiptId: 'wo-b-r1', sku: 'WO-B', quantity: 4 }); // o5 allocated by a batch
  await t.inventory.adjustStock({ requestId: 'wo-b-found', sku: 'WO-B', delta: 2, reason: 'found' });
  await settle(t);

  const written = await warehouse.orders.writeOffStock({ requestId: 'wo-2', sku: 'WO-B', quantity: 3, reason: 'water damage' });
  expect(written).toEqual({ freeQuantity: 2, lines: [{ ...o5, quantity: 1 }] });
  expect((await t.inventory.getStock({ sku: 'WO-B' })).stock).toEqual({ sku: 'WO-B', onHand: 3, reserved: 3, available: 0 });
  expect((await t.orders.listBackorders({ sku: 'WO-B' })).backorders.map((b) => [b.lineId, b.backorderedQuantity, b.position])).toEqual([[o5.lineId, 1, 1]]);
  await settle(t);
  await expectOrdersInvariants(t, 'WO-B');
  await expectReservationsAddUp(t, 'WO-B');

  // Only free units: no line is touched, nobody is emailed.
  await t.inventory.adjustStock({ requestId: 'wo-b-found-2', sku: 'WO-B', delta: 1, reason: 'found' });
  await settle(t); // the found unit goes to o5
  await t.inventory.adjustStock({ requestId: 'wo-b-found-3', sku: 'WO-B', delta: 2, reason: 'found' });
  expect(await warehouse.orders.writeOffStock({ requestId: 'wo-3', sku: 'WO-B', quantity: 2, reason: 'lost' })).toEqual({ freeQuantity: 2, lines: [] });
});

it('refuses to write off more than is on hand, and bad input', async () => {
  await product(t, 'WO-C', { onHand: 2 });
  const tooMany = await grpcError(warehouse.orders.writeOffStock({ requestId: 'wo-4', sku: 'WO-C', quantity: 3, reason: 'lost' }));
  expect([tooMany.code, tooMany.reason]).toEqual([status.FAILED_PRECONDITION, 'INSUFFICIENT_STOCK']);
  const bad = await grpcError(warehouse.orders.writeOffStock({ requestId: 'wo-5', sku: 'WO-C', quantity: 0, reason: '' }));
  expect(bad.code).toBe(status.INVALID_ARGUMENT);
  expect(bad.violations.map((v) => v.field).sort()).toEqual(['quantity', 'reason']);
  const storefront = t.clientsAs({ sub: 'shop', roles: ['storefront'] });
  expect((await grpcError(storefront.orders.writeOffStock({ requestId: 'wo-6', sku: 'WO-C', quantity: 1, reason: 'lost' }))).code).toBe(status.PERMISSION_DENIED);
  expect((await t.inventory.getStock({ sku: 'WO-C' })).stock!.onHand).toBe(2);
});

it('gives the units back to the lines when the free stock shrank before Inventory wrote them off', async () => {
  await product(t, 'WO-D', { onHand: 3 });
  const o6 = lineOf(await order(t, [['WO-D', 2]], { customer: 'wf' })); // 2 reserved, 1 free
  await settle(t);
  // Someone removes the free unit between Orders' read of the stock and Inventory's write-off.
  const real = t.app.peers.inventory as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const inventory = new Proxy(real, {
    get: (target, method: string) => async (request: unknown, options?: unknown) => {
      if (method === 'writeOffStock') await t.inventory.adjustStock({ requestId: 'wo-d-counted', sku: 'WO-D', delta: -1, reason: 'count' });
      return target[method](request, options);
    },
  });
  const peers: Peers = { ...t.app.peers, inventory: inventory as unknown as Peers['inventory'] };
  const request = { requestId: 'wo-7', sku: 'WO-D', quantity: 2, reason: 'crushed' };
  await expect(writeOffStock(ordersDeps(t, peers), request, 'ware-1')).rejects.toMatchObject({ reason: 'INSUFFICIENT_STOCK' });
  const retried = await grpcError(warehouse.orders.writeOffStock(request)); // the same request id keeps its answer
  expect([retried.code, retried.reason]).toEqual([status.FAILED_PRECONDITION, 'INSUFFICIENT_STOCK']);

  await settle(t); // the held unit is released and allocated again, first to the line it came from
  const line = (await t.orders.getOrder({ orderId: o6.orderId })).order!.lines[0];
  expect([line.allocatedQuantity, line.backorderedQuantity]).toEqual([2, 0]);
  expect((await t.inventory.getStock({ sku: 'WO-D' })).stock).toEqual({ sku: 'WO-D', onHand: 2, reserved: 2, available: 0 });
  expect((await t.inventory.listStockMovements({ sku: 'WO-D' })).movements.filter((m) => m.kind === StockMovementKind.STOCK_MOVEMENT_KIND_WRITE_OFF)).toEqual([]);
  expect(smtp.to('wf@example.com').filter((m) => m.subject?.includes('backordered again'))).toEqual([]);
  await expectOrdersInvariants(t, 'WO-D');
  await expectReservationsAddUp(t, 'WO-D');
});

it('takes units that allocation batches gave from the last line first; FIFO still holds', async () => {
  await product(t, 'WO-E');
  const o7 = lineOf(await order(t, [['WO-E', 3]], { customer: 'wg' }));
  const o8 = lineOf(await order(t, [['WO-E', 2]], { customer: 'wh' }));
  const o9 = lineOf(await order(t, [['WO-E', 1]], { customer: 'wi' }));
  await t.orders.applyReceipt({ receiptId: 'wo-e-r1', sku: 'WO-E', quantity: 5 }); // o7 and o8 filled, o9 waits
  await settle(t);
  expect(await warehouse.orders.writeOffStock({ requestId: 'wo-8', sku: 'WO-E', quantity: 3, reason: 'expired' })).toEqual({
    freeQuantity: 0,
    lines: [{ ...o8, quantity: 2 }, { ...o7, quantity: 1 }],
  });
  await settle(t);
  expect((await t.orders.listBackorders({ sku: 'WO-E' })).backorders.map((b) => [b.lineId, b.backorderedQuantity])).toEqual([
    [o7.lineId, 1],
    [o8.lineId, 2],
    [o9.lineId, 1],
  ]);
  await expectOrdersInvariants(t, 'WO-E');
  await expectReservationsAddUp(t, 'WO-E');
});

it('finishes a write-off Inventory did not answer: a retry or the recovery completes it once', async () => {
  await product(t, 'WO-F', { onHand: 2 });
  const o10 = lineOf(await order(t, [['WO-F', 2]], { customer: 'wj' }));
  await settle(t);
  const real = t.app.peers.inventory as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const down = new Proxy(real, {
    get: (target, method: string) => async (request: unknown, options?: unknown) => {
      if (method === 'writeOffStock') throw Object.assign(new Error('connection refused'), { code: status.UNAVAILABLE, details: 'connection refused' });
      return target[method](request, options);
    },
  });
  const peers: Peers = { ...t.app.peers, inventory: down as unknown as Peers['inventory'] };
  await expect(writeOffStock(ordersDeps(t, peers), { requestId: 'wo-9', sku: 'WO-F', quantity: 1, reason: 'lost' }, 'ware-1')).rejects.toMatchObject({ kind: 'UNAVAILABLE' });
  // The line already waits again; Inventory still holds the unit, so nothing can take it meanwhile.
  expect((await t.inventory.getStock({ sku: 'WO-F' })).stock).toEqual({ sku: 'WO-F', onHand: 2, reserved: 2, available: 0 });

  await recoverUnfinishedWork(ordersDeps(t));
  await recoverUnfinishedWork(ordersDeps(t)); // nothing left to do
  expect((await t.inventory.getStock({ sku: 'WO-F' })).stock).toEqual({ sku: 'WO-F', onHand: 1, reserved: 1, available: 0 });
  expect(await warehouse.orders.writeOffStock({ requestId: 'wo-9', sku: 'WO-F', quantity: 1, reason: 'lost' })).toEqual({ freeQuantity: 0, lines: [{ ...o10, quantity: 1 }] });
  await settle(t);
  expect(smtp.to('wj@example.com').filter((m) => m.subject?.includes('backordered again'))).toHaveLength(1);
  const movements = (await t.inventory.listStockMovements({ sku: 'WO-F' })).movements.filter((m) => m.kind === StockMovementKind.STOCK_MOVEMENT_KIND_WRITE_OFF);
  expect(movements.map((m) => [m.onHandDelta, m.reservedDelta, m.recordedBy])).toEqual([[-1, -1, 'ware-1']]);
  await expectOrdersInvariants(t, 'WO-F');
});

it('tells the customer the ETA the forecast gives the returned units, and recomputes the others once the demand is back', async () => {
  await product(t, 'WO-G', { onHand: 2 });
  await t.procurement.upsertSupplier({ supplier: supplierOf('WO-SUP') });
  await t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'WO-SUP', sku: 'WO-G', supplierSku: 'G', unitCost: eur(100), packSize: 1 } });
  const o11 = lineOf(await order(t, [['WO-G', 2]], { customer: 'wk' })); // reserved
  const o12 = lineOf(await order(t, [['WO-G', 1]], { customer: 'wl' })); // waits; its demand is buffered
  await settleAll(t);
  await t.orders.refreshEtas({ skus: ['WO-G'] });
  const buffered = (await t.orders.listBackorders({ sku: 'WO-G' })).backorders[0].eta!;
  expect(buffered.source).toBe(EtaSource.ETA_SOURCE_BUFFER);

  await warehouse.orders.writeOffStock({ requestId: 'wo-10', sku: 'WO-G', quantity: 1, reason: 'broken seal' });
  // o11's unit waits ahead of o12: the one buffered unit is now its ETA, and o12 has none until the demand is back.
  const before = (await t.orders.listBackorders({ sku: 'WO-G' })).backorders;
  expect(before.map((b) => [b.lineId, b.eta?.source, b.eta?.expectedTime])).toEqual([
    [o11.lineId, EtaSource.ETA_SOURCE_BUFFER, buffered.expectedTime],
    [o12.lineId, EtaSource.ETA_SOURCE_UNKNOWN, undefined],
  ]);
  await settleAll(t); // RecordDemand grows o11's demand; Procurement's forecast changes and Orders recomputes the ETAs
  const after = (await t.orders.listBackorders({ sku: 'WO-G' })).backorders;
  expect(after.map((b) => [b.lineId, b.eta?.source, b.eta?.expectedTime])).toEqual([
    [o11.lineId, EtaSource.ETA_SOURCE_BUFFER, buffered.expectedTime],
    [o12.lineId, EtaSource.ETA_SOURCE_BUFFER, buffered.expectedTime],
  ]);
  const [mail] = smtp.to('wk@example.com').filter((m) => m.subject?.includes('backordered again'));
  expect(mail.text).toContain(`WO-G | 1 backordered again | expected ${buffered.expectedTime!.toISOString().slice(0, 10)}`);
  const [{ quantity }] = await query<{ quantity: number }>(t.databaseUrl, 'SELECT quantity FROM procurement.buffered_demand WHERE demand_id = $1', [o11.lineId]);
  expect(quantity).toBe(1);
  await expectOrdersInvariants(t, 'WO-G');
});
