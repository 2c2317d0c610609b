import { EtaSource, OrderEventType, type OrderEvent } from '../gen/restock/orders/v1/order';
import { invalidArgument } from '../platform/errors';
import { sqlOf, type Orm } from '../platform/orm';
import { currentEventPosition, eventsAfter, type EventPosition, type EventRow } from './order-event.repository';

/** Events read per query: a stream replays a long gap in steps of this many. */
const READ_BATCH = 500;
const MAX_XID = 2n ** 64n - 1n;

/** What WatchOrderEvents asks for: resume after a cursor ('' = new events only), of some types (empty = all). */
export interface EventWatch {
  cursor: string;
  types: OrderEventType[];
}

/**
 * The events after the cursor in order, then new ones as their transactions commit: a short poll (pollMs)
 * once caught up. Ends when signal aborts (the client cancelled or the server stops). Events of other types
 * are read and skipped, so a filtered stream still moves forward.
 */
export async function* watchOrderEvents(orm: Orm, watch: EventWatch, pollMs: number, signal: AbortSignal): AsyncGenerator<OrderEvent> {
  const sql = sqlOf(orm.em.fork());
  let position = watch.cursor === '' ? await currentEventPosition(sql) : decodeCursor(watch.cursor);
  const wanted = new Set(watch.types);
  while (!signal.aborted) {
    const rows = await eventsAfter(sql, position, READ_BATCH);
    for (const row of rows) {
      if (signal.aborted) return;
      position = [row.xid, row.eventId];
      if (wanted.size === 0 || wanted.has(row.type)) yield toOrderEvent(row);
    }
    if (rows.length < READ_BATCH) await pause(pollMs, signal);
  }
}

/** Checks a cursor without reading anything: INVALID_ARGUMENT unless WatchOrderEvents issued it. */
export function decodeCursor(cursor: string): EventPosition {
  const match = /^([0-9]{1,20})\.([0-9]{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match || cursor.length > 64 || BigInt(match[1]) > MAX_XID) throw invalidArgument([{ field: 'cursor', description: 'is not a cursor of an order event' }]);
  return [match[1], Number(match[2])];
}

/** The opaque cursor of a position. */
export function encodeCursor([xid, eventId]: EventPosition): string {
  return Buffer.from(`${xid}.${eventId}`, 'latin1').toString('base64url');
}

function toOrderEvent(row: EventRow): OrderEvent {
  return {
    cursor: encodeCursor([row.xid, row.eventId]),
    orderId: row.orderId,
    type: row.type,
    eventTime: row.eventTime,
    shipmentId: row.shipmentId,
    lineId: row.lineId,
    eta:
      row.etaSource === null
        ? undefined
        : {
            expectedTime: row.etaExpected ?? undefined,
            latestTime: row.etaLatest ?? undefined,
            source: row.etaSource ?? EtaSource.ETA_SOURCE_UNKNOWN,
            purchaseOrderId: row.etaPurchaseOrderId ?? '',
          },
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
