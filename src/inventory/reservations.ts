import type { Reservation, ReservationQuantity, ReservationRequest } from '../gen/restock/inventory/v1/stock';
import { failedPrecondition, notFound } from '../platform/errors';
import { once, onceEach } from '../platform/idempotency';
import { transaction, type Orm, type Sql } from '../platform/orm';
import { announceFreeStock } from './stock';
import {
  findReservationSkus,
  lockStock,
  recordMovements,
  takeReservedUnits,
  takeStock,
  writeReservations,
  type MovementKind,
} from './stock.repository';

export interface ReservationResult {
  lineId: string;
  sku: string;
  reservedQuantity: number;
  reservation: Reservation;
}

/** ReserveRequest asks to add units to lines' reservations: all or nothing, or with allowPartial what is available. */
export interface ReserveRequest {
  requestId: string;
  lines: ReservationRequest[];
  allowPartial: boolean;
}

/**
 * Applies reserve requests in one transaction, in order (earlier requests, and earlier lines of a SKU,
 * get stock first); each is done once per request id. The SKUs' stock rows are locked in sorted order
 * and each increase is a conditional update, so concurrent requests never oversell. All or nothing:
 * one refused request refuses the batch.
 */
export function reserveStock(orm: Orm, requests: ReserveRequest[]): Promise<ReservationResult[][]> {
  return transaction(orm, (sql) =>
    onceEach(sql, 'inventory', 'ReserveStock', requests.map((request) => ({ key: request.requestId, request })), (fresh) => reserveFresh(sql, fresh)),
  );
}

async function reserveFresh(sql: Sql, requests: ReserveRequest[]): Promise<ReservationResult[][]> {
  const available = await lockAvailable(sql, [...new Set(requests.flatMap((r) => r.lines.map((l) => l.sku)))]);
  const granted = requests.map((request) => grant(request, available));
  const lines = granted.flat();
  const perSku = sumBySku(lines);
  const perLine = new Map<string, ReservationRequest>();
  for (const line of lines) {
    const seen = perLine.get(line.lineId);
    if (seen && seen.sku !== line.sku) throw skuMismatch();
    perLine.set(line.lineId, { ...line, quantity: (seen?.quantity ?? 0) + line.quantity });
  }
  const holders = [...perLine.values()];
  const movements = lines
    .filter((line) => line.quantity > 0)
    .map((line) => ({ sku: line.sku, kind: 'RESERVATION' as const, onHandDelta: 0, reservedDelta: line.quantity, reason: 'reserve', reference: line.lineId }));
  const written = await writeReservations(sql, { perSku, perLine: holders, movements });
  if (written.raised !== perSku.size) throw new Error('stock changed while locked'); // cannot happen under the row locks
  if (written.reservations.length !== holders.length) throw skuMismatch();
  const byLine = new Map(written.reservations.map((r) => [r.lineId, r]));
  return granted.map((requestLines) =>
    requestLines.map((line) => ({ lineId: line.lineId, sku: line.sku, reservedQuantity: line.quantity, reservation: byLine.get(line.lineId)! })),
  );
}

/** What one request gets of the available units (taken off `available`): per line, earlier lines of a SKU first. */
function grant(request: ReserveRequest, available: Map<string, number>): ReservationRequest[] {
  const wanted = sumBySku(request.lines);
  const short = [...wanted].filter(([sku, quantity]) => quantity > available.get(sku)!).map(([sku]) => `${sku} (${available.get(sku)} available)`);
  if (short.length > 0 && !request.allowPartial) {
    throw failedPrecondition('INSUFFICIENT_STOCK', `not enough stock: ${short.join(', ')}`, { skus: short.join(',') });
  }
  return request.lines.map((line) => {
    const quantity = Math.min(line.quantity, available.get(line.sku)!);
    available.set(line.sku, available.get(line.sku)! - quantity);
    return { ...line, quantity };
  });
}

function skuMismatch() {
  return failedPrecondition('RESERVATION_SKU_MISMATCH', 'a line id is already reserved for another SKU');
}

/** Gives held units back to available stock (announced to Orders for waiting lines); once per request id. */
export function releaseStock(orm: Orm, request: { requestId: string; lines: ReservationQuantity[] }): Promise<Reservation[]> {
  return transaction(orm, (sql) =>
    once(sql, 'inventory', 'ReleaseStock', request.requestId, request, async () => {
      const reservations = await takeFromReservations(sql, request.lines, 'RELEASE', request.requestId);
      await announceFreeStock(sql, [...new Set(reservations.map((r) => r.sku))], `release:${request.requestId}`);
      return reservations;
    }),
  );
}

/** Consumes held units: they leave the warehouse; once per request id. */
export function shipStock(orm: Orm, request: { requestId: string; lines: ReservationQuantity[] }): Promise<Reservation[]> {
  return transaction(orm, (sql) =>
    once(sql, 'inventory', 'ShipStock', request.requestId, request, () => takeFromReservations(sql, request.lines, 'SHIPMENT', request.requestId)),
  );
}

/** Lowers lines' reservations (and for a shipment on_hand too); FAILED_PRECONDITION when a line holds too little. */
async function takeFromReservations(sql: Sql, lines: ReservationQuantity[], kind: Extract<MovementKind, 'RELEASE' | 'SHIPMENT'>, requestId: string): Promise<Reservation[]> {
  const skuOf = await findReservationSkus(sql, lines.map((l) => l.lineId));
  const missing = lines.find((l) => !skuOf.has(l.lineId));
  if (missing) throw notFound('reservation', missing.lineId);
  const perSku = sumBySku(lines.map((l) => ({ sku: skuOf.get(l.lineId)!, quantity: l.quantity })));
  await lockAvailable(sql, [...perSku.keys()]);

  const shipping = kind === 'SHIPMENT';
  const taken = await takeReservedUnits(sql, lines, shipping);
  if (taken.length !== lines.length) {
    const held = new Set(taken.map((r) => r.lineId));
    const line = lines.find((l) => !held.has(l.lineId))!;
    throw failedPrecondition('RESERVATION_EXCEEDED', `line ${line.lineId} holds fewer than ${line.quantity} units`, { line_id: line.lineId });
  }
  await takeStock(sql, perSku, shipping);
  await recordMovements(
    sql,
    lines.map((line) => ({
      sku: skuOf.get(line.lineId)!,
      kind,
      onHandDelta: shipping ? -line.quantity : 0,
      reservedDelta: -line.quantity,
      reason: shipping ? 'ship' : 'release',
      reference: `${line.lineId}:${requestId}`,
    })),
  );
  return taken;
}

/** Locks the SKUs' stock rows in sorted order and returns what is available of each; NOT_FOUND for an unknown SKU. */
async function lockAvailable(sql: Sql, skus: string[]): Promise<Map<string, number>> {
  const available = await lockStock(sql, skus);
  const missing = skus.find((sku) => !available.has(sku));
  if (missing) throw notFound('product', missing);
  return available;
}

function sumBySku(lines: { sku: string; quantity: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))) {
    totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  }
  return totals;
}
