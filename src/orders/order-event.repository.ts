import type { EtaSource, OrderEventType } from '../gen/restock/orders/v1/order';
import type { Sql } from '../platform/orm';
import type { Eta } from './etas';

// Order events (WatchOrderEvents), written in the transaction of the change they record and read in
// (xid, event_id) order up to the oldest running transaction (see Migration20261203410000_order_events).

/** An event to record: its order, type and time, and what its type names (a shipment, a line and its ETA). */
export interface EventToWrite {
  orderId: string;
  type: OrderEventType;
  eventTime: Date;
  shipmentId?: string;
  lineId?: string;
  eta?: Eta;
}

/** Where an event stands in the reading order: its transaction id (decimal text) and its sequence number. */
export type EventPosition = [xid: string, eventId: number];

/** A recorded event with its position. */
export interface EventRow {
  xid: string;
  eventId: number;
  orderId: string;
  type: OrderEventType;
  eventTime: Date;
  shipmentId: string;
  lineId: string;
  etaExpected: Date | null;
  etaLatest: Date | null;
  etaSource: EtaSource | null;
  etaPurchaseOrderId: string | null;
}

/** Records events in the caller's transaction, in the order given (one statement). */
export async function insertOrderEvents(sql: Sql, events: EventToWrite[]): Promise<void> {
  if (events.length === 0) return;
  await sql(
    `INSERT INTO orders.order_event (order_id, type, event_time, shipment_id, line_id, eta_expected, eta_latest, eta_source, eta_purchase_order_id)
     SELECT order_id, type, event_time, shipment_id, line_id, expected, latest, source, po
     FROM unnest(?::text[], ?::int[], ?::timestamptz[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::text[]) WITH ORDINALITY
       AS e(order_id, type, event_time, shipment_id, line_id, expected, latest, source, po, n)
     ORDER BY n`,
    [
      events.map((e) => e.orderId),
      events.map((e) => e.type),
      events.map((e) => e.eventTime),
      events.map((e) => e.shipmentId ?? ''),
      events.map((e) => e.lineId ?? ''),
      events.map((e) => e.eta?.expectedTime ?? null),
      events.map((e) => e.eta?.latestTime ?? null),
      events.map((e) => e.eta?.source ?? null),
      events.map((e) => e.eta?.purchaseOrderId ?? null),
    ],
  );
}

/**
 * READY_TO_SHIP, in one statement, for each order an allocation batch gave units to that may ship them now:
 * SHIP_AVAILABLE_NOW (1) orders, and SHIP_COMPLETE ones that no longer wait for anything.
 */
export async function insertReadyToShipOfBatch(sql: Sql, batchId: string, now: Date): Promise<void> {
  await sql(
    `INSERT INTO orders.order_event (order_id, type, event_time)
     SELECT order_id, 1, ?::timestamptz FROM (
       SELECT DISTINCT a.order_id FROM orders.allocation a JOIN orders.customer_order o USING (order_id)
       WHERE a.batch_id = ? AND a.quantity > 0
         AND (o.fulfillment_policy = 1 OR NOT EXISTS (SELECT 1 FROM orders.order_line l WHERE l.order_id = a.order_id AND l.backordered > 0))) ready
     ORDER BY order_id`,
    [now, batchId],
  );
}

/**
 * Up to limit events after a position, in reading order, of transactions older than every transaction
 * still running: an event of a transaction not yet committed can then never land behind the position.
 */
export function eventsAfter(sql: Sql, after: EventPosition, limit: number): Promise<EventRow[]> {
  return sql<EventRow>(
    `SELECT xid::text AS xid, event_id, order_id, type, event_time, shipment_id, line_id, eta_expected, eta_latest, eta_source, eta_purchase_order_id
     FROM orders.order_event
     WHERE (xid, event_id) > (?::text::xid8, ?::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY xid, event_id LIMIT ?`,
    [after[0], after[1], limit],
  );
}

/** The position before every event of transactions still running or yet to start: where "new events only" begins. */
export async function currentEventPosition(sql: Sql): Promise<EventPosition> {
  const [{ xid }] = await sql<{ xid: string }>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xid`);
  return [xid, 0];
}

/** Deletes up to limit events recorded before `before`; returns how many went. */
export async function deleteEventsBefore(sql: Sql, before: Date, limit: number): Promise<number> {
  const deleted = await sql(
    `DELETE FROM orders.order_event WHERE (xid, event_id) IN (SELECT xid, event_id FROM orders.order_event WHERE event_time < ? LIMIT ?) RETURNING event_id`,
    [before, limit],
  );
  return deleted.length;
}
