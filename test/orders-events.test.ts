import { status } from '@grpc/grpc-js';
import { EtaSource, FulfillmentPolicy, OrderEventType, OrderStatus, type OrderEvent } from '../src/gen/restock/orders/v1/order';
import { deleteEventsBefore } from '../src/orders/order-event.repository';
import { encodeCursor } from '../src/orders/order-events';
import { applyRetention } from '../src/platform/retention.task';
import { grpcError, startTestApp, waitFor, type TestApp } from './support/harness';
import { order, product } from './support/fixtures';
import { query } from './support/db';
import { scrape } from './support/prometheus';

// WatchOrderEvents over real gRPC: events written with their change, replayed from a cursor, followed live,
// filtered by type; a bad cursor is refused; a stream ends when its client cancels or the server stops.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, env: { ORDER_EVENTS_POLL_MS: '20' } });
});
afterAll(async () => {
  await t?.stop();
});

/** Before every event: a cursor of the oldest possible position (the database is this file's own). */
const BEGINNING = encodeCursor(['0', 0]);
const { ORDER_EVENT_TYPE_READY_TO_SHIP: READY, ORDER_EVENT_TYPE_SHIPPED: SHIPPED, ORDER_EVENT_TYPE_CANCELLED: CANCELLED, ORDER_EVENT_TYPE_ETA_CHANGED: ETA } = OrderEventType;

/** A stream being read in the background: what it received, how it ended, and a way to disconnect. */
interface Watch {
  events: OrderEvent[];
  ended: Promise<unknown>;
  disconnect(): void;
}

function watch(app: TestApp, request: { cursor: string; types?: OrderEventType[] }): Watch {
  const controller = new AbortController();
  const events: OrderEvent[] = [];
  const ended = (async () => {
    for await (const { event } of app.orders.watchOrderEvents(request, { signal: controller.signal })) events.push(event!);
  })().then(
    () => undefined,
    (error: unknown) => error,
  );
  return { events, ended, disconnect: () => controller.abort() };
}

async function received(w: Watch, count: number): Promise<OrderEvent[]> {
  await waitFor(() => w.events.length >= count, { what: `${count} events (have ${w.events.length})` });
  return w.events;
}

/** What an event says, without its cursor and time. */
const gist = (e: OrderEvent) => [OrderEventType[e.type], e.orderId, e.lineId, e.shipmentId];

let history: OrderEvent[] = [];
const ids: Record<string, string> = {};

it('records ready to ship, shipped, cancelled and ETA changed with their changes, and streams them in order', async () => {
  const all = watch(t, { cursor: BEGINNING });
  await product(t, 'EV-STOCK', { onHand: 10 });
  await product(t, 'EV-WAIT');
  await product(t, 'EV-ETA');
  const a = (await order(t, [['EV-STOCK', 1]], { customer: 'ev-a' })).order!;
  const b = (await order(t, [['EV-WAIT', 2]], { customer: 'ev-b' })).order!;
  // a refused shipment records nothing: its event would have been written in its transaction
  expect((await grpcError(t.orders.shipOrder({ orderId: b.orderId, shipmentId: 'ev-ship-b', carrier: 'DHL', trackingNumber: 'T-B' }))).code).toBe(status.FAILED_PRECONDITION);
  await t.orders.shipOrder({ orderId: a.orderId, shipmentId: 'ev-ship-a', carrier: 'DHL', trackingNumber: 'T-A' });
  await t.orders.applyReceipt({ receiptId: 'ev-receipt-1', sku: 'EV-WAIT', quantity: 2 });
  await t.orders.cancelOrderLine({ orderId: b.orderId, lineId: b.lines[0].lineId, quantity: 1, reason: 'one is enough' });
  const c = (await order(t, [['EV-WAIT', 1]], { customer: 'ev-c' })).order!;
  await t.orders.cancelOrder({ orderId: c.orderId, reason: 'changed my mind' });
  const d = (await order(t, [['EV-ETA', 1]], { customer: 'ev-d' })).order!; // no supplier: ETA unknown
  // the line's stored ETA is stale (as if a forecast had named a date); the refresh finds it unknown again
  await query(t.databaseUrl, `UPDATE orders.order_line SET eta_source = $1, eta_expected = now(), eta_latest = now() WHERE line_id = $2`, [EtaSource.ETA_SOURCE_BUFFER, d.lines[0].lineId]);
  expect(await t.orders.refreshEtas({ skus: ['EV-ETA'] })).toEqual({ changedLines: 1 });
  Object.assign(ids, { a: a.orderId, b: b.orderId });

  history = [...(await received(all, 6))];
  expect(history.map(gist)).toEqual([
    ['ORDER_EVENT_TYPE_READY_TO_SHIP', a.orderId, '', ''],
    ['ORDER_EVENT_TYPE_SHIPPED', a.orderId, '', 'ev-ship-a'],
    ['ORDER_EVENT_TYPE_READY_TO_SHIP', b.orderId, '', ''],
    ['ORDER_EVENT_TYPE_CANCELLED', b.orderId, b.lines[0].lineId, ''],
    ['ORDER_EVENT_TYPE_CANCELLED', c.orderId, '', ''],
    ['ORDER_EVENT_TYPE_ETA_CHANGED', d.orderId, d.lines[0].lineId, ''],
  ]);
  expect(history[5].eta).toEqual({ source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '', expectedTime: undefined, latestTime: undefined });
  expect(new Set(history.map((e) => e.cursor)).size).toBe(6);
  expect(history.every((e) => e.eventTime instanceof Date)).toBe(true);
  all.disconnect();
  expect(await all.ended).toBeUndefined(); // a disconnect ends the iteration quietly
});

it('replays exactly the events after a cursor', async () => {
  const resumed = watch(t, { cursor: history[1].cursor });
  expect(await received(resumed, 4)).toEqual(history.slice(2));
  resumed.disconnect();
});

it('after a disconnect, resumes from the last cursor seen: the missed events, once, then new ones', async () => {
  const first = watch(t, { cursor: history[5].cursor });
  const e = (await order(t, [['EV-STOCK', 1]], { customer: 'ev-e' })).order!;
  const [seen] = await received(first, 1);
  expect(gist(seen)).toEqual(['ORDER_EVENT_TYPE_READY_TO_SHIP', e.orderId, '', '']);
  first.disconnect();
  await first.ended;

  await t.orders.shipOrder({ orderId: e.orderId, shipmentId: 'ev-ship-e', carrier: 'UPS', trackingNumber: 'T-E' });
  const f = (await order(t, [['EV-STOCK', 1]], { customer: 'ev-f' })).order!;
  const again = watch(t, { cursor: seen.cursor });
  await received(again, 2);
  await t.orders.shipOrder({ orderId: f.orderId, shipmentId: 'ev-ship-f', carrier: 'UPS', trackingNumber: 'T-F' });
  await received(again, 3);
  expect(again.events.map(gist)).toEqual([
    ['ORDER_EVENT_TYPE_SHIPPED', e.orderId, '', 'ev-ship-e'],
    ['ORDER_EVENT_TYPE_READY_TO_SHIP', f.orderId, '', ''],
    ['ORDER_EVENT_TYPE_SHIPPED', f.orderId, '', 'ev-ship-f'],
  ]);
  again.disconnect();
});

it('streams only the types asked for', async () => {
  const shipped = watch(t, { cursor: BEGINNING, types: [SHIPPED] });
  await received(shipped, 3);
  const cancelled = watch(t, { cursor: BEGINNING, types: [CANCELLED, ETA] });
  await received(cancelled, 3);
  expect(shipped.events.map((e) => e.shipmentId)).toEqual(['ev-ship-a', 'ev-ship-e', 'ev-ship-f']);
  expect(cancelled.events.map((e) => OrderEventType[e.type])).toEqual(['ORDER_EVENT_TYPE_CANCELLED', 'ORDER_EVENT_TYPE_CANCELLED', 'ORDER_EVENT_TYPE_ETA_CHANGED']);
  expect(cancelled.events).toEqual(history.slice(3, 6));
  shipped.disconnect();
  cancelled.disconnect();
});

it('without a cursor, streams new events only', async () => {
  const fresh = watch(t, { cursor: '' });
  const placed: string[] = [];
  // the stream starts reading at some moment after the call: place orders until one shows
  await waitFor(async () => {
    placed.push((await order(t, [['EV-STOCK', 1]], { customer: 'ev-fresh' })).order!.orderId);
    return fresh.events.length > 0;
  });
  expect(placed).toContain(fresh.events[0].orderId);
  expect(fresh.events[0].type).toBe(READY);
  fresh.disconnect();
});

it('refuses a cursor it did not issue, and unknown types, with INVALID_ARGUMENT', async () => {
  for (const cursor of ['not-a-cursor', Buffer.from('99999999999999999999.1').toString('base64url'), 'x'.repeat(100)]) {
    const error = (await watch(t, { cursor }).ended) as Awaited<ReturnType<typeof grpcError>>;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  }
  const bad = await grpcError(
    (async () => {
      for await (const response of t.orders.watchOrderEvents({ cursor: 'garbage!' })) void response;
    })(),
  );
  expect(bad.violations.map((v) => v.field)).toEqual(['cursor']);
  const types = await grpcError(
    (async () => {
      for await (const response of t.orders.watchOrderEvents({ types: [OrderEventType.ORDER_EVENT_TYPE_UNSPECIFIED] })) void response;
    })(),
  );
  expect(types.violations.map((v) => v.field)).toEqual(['types[0]']);
});

it('ends the server side of a stream when its client cancels', async () => {
  const cancelledStreams = async () =>
    (await scrape(`http://127.0.0.1:${t.app.metricsPort}/metrics`)).maybe('restock_grpc_server_handled_total', { method: 'WatchOrderEvents', code: 'CANCELLED' }) ?? 0;
  const before = await cancelledStreams();
  const live = watch(t, { cursor: history[5].cursor });
  await received(live, 1);
  live.disconnect();
  await waitFor(async () => (await cancelledStreams()) === before + 1, { what: 'the server to end the cancelled stream' });
});

it('ends a live stream with UNAVAILABLE when the server shuts down, without holding the shutdown', async () => {
  const other = await startTestApp({ background: false, env: { ORDER_EVENTS_POLL_MS: '20' } });
  await product(other, 'EV-DOWN', { onHand: 1 });
  const live = watch(other, { cursor: BEGINNING });
  await order(other, [['EV-DOWN', 1]], { customer: 'ev-down' });
  await received(live, 1);
  await other.stop();
  const error = (await live.ended) as Awaited<ReturnType<typeof grpcError>>;
  expect(error.code).toBe(status.UNAVAILABLE);
  expect(error.details).toMatch(/the server is shutting down; resume the stream/);
  expect(live.events).toHaveLength(1);
});

it('records READY_TO_SHIP when a cancellation lets a ship-complete order ship, and CANCELLED of a line while its order lives on', async () => {
  await product(t, 'EV-GONE');
  const eventsOf = (orderId: string) =>
    query<{ type: number; lineId: string }>(t.databaseUrl, 'SELECT type, line_id FROM orders.order_event WHERE order_id = $1 ORDER BY xid, event_id', [orderId]);
  const complete = (await order(t, [['EV-STOCK', 1], ['EV-GONE', 1]], { customer: 'ev-g', policy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_COMPLETE })).order!;
  await t.orders.cancelOrderLine({ orderId: complete.orderId, lineId: complete.lines[1].lineId, reason: 'not needed' });
  expect(await eventsOf(complete.orderId)).toEqual([{ type: CANCELLED, lineId: complete.lines[1].lineId }, { type: READY, lineId: '' }]);

  const split = (await order(t, [['EV-STOCK', 1], ['EV-GONE', 1]], { customer: 'ev-h' })).order!;
  await t.orders.shipOrder({ orderId: split.orderId, shipmentId: 'ev-ship-h', carrier: 'DHL', trackingNumber: 'T-H' });
  await t.orders.cancelOrderLine({ orderId: split.orderId, lineId: split.lines[1].lineId, reason: 'not needed' });
  expect((await t.orders.getOrder({ orderId: split.orderId })).order!.status).toBe(OrderStatus.ORDER_STATUS_SHIPPED);
  expect(await eventsOf(split.orderId)).toEqual([{ type: READY, lineId: '' }, { type: SHIPPED, lineId: '' }, { type: CANCELLED, lineId: split.lines[1].lineId }]);
});

it('records one READY_TO_SHIP per order that can ship when orders are placed at once (batched together)', async () => {
  await product(t, 'EV-BATCH', { onHand: 10 });
  await product(t, 'EV-BATCH-NONE');
  const placed = await Promise.all(
    Array.from({ length: 6 }, (_, i) => order(t, [[i % 3 === 2 ? 'EV-BATCH-NONE' : 'EV-BATCH', 1]], { customer: `ev-batch-${i}` })),
  );
  const ids = placed.map((p) => p.order!.orderId);
  const events = await query<{ orderId: string; type: number }>(t.databaseUrl, 'SELECT order_id, type FROM orders.order_event WHERE order_id = ANY($1) ORDER BY order_id', [ids]);
  const ready = ids.filter((_, i) => i % 3 !== 2).sort();
  expect(events).toEqual(ready.map((orderId) => ({ orderId, type: READY })));
});

it('deletes events older than the retention with the retention task, in batches', async () => {
  const [{ count }] = await query<{ count: number }>(t.databaseUrl, 'SELECT count(*) FROM orders.order_event');
  const later = new Date(Date.now() + 31 * 86_400_000);
  const deleted = await applyRetention({ orm: t.app.orms.orders!, schema: 'orders', days: 30, clock: { now: () => later }, log: t.app.log, batchSize: 4, retained: [{ name: 'events', deleteBefore: deleteEventsBefore }] });
  expect(deleted.events).toBe(count);
  expect(await query(t.databaseUrl, 'SELECT * FROM orders.order_event')).toEqual([]);
});
