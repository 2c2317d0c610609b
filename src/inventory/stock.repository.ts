import type { Reservation, ReservationRequest, StockLevel } from '../gen/restock/inventory/v1/stock';
import type { Sql } from '../platform/orm';

export type MovementKind = 'ADJUSTMENT' | 'RECEIPT' | 'RESERVATION' | 'RELEASE' | 'SHIPMENT' | 'WRITE_OFF';

/** StockMovement is one entry of the append-only stock ledger. */
export interface StockMovement {
  sku: string;
  kind: MovementKind;
  onHandDelta: number;
  reservedDelta: number;
  reason: string;
  reference: string;
  /** Who made a manual change (the caller's token subject); unset for changes peers make. */
  recordedBy?: string;
}

/** A ledger entry as stored: with its id and time. */
export interface RecordedMovement extends StockMovement {
  movementId: number;
  createTime: Date;
}

const STOCK_COLUMNS = 'sku, on_hand, reserved, on_hand - reserved AS available';
const RESERVATION_COLUMNS = 'line_id, sku, reserved AS reserved_quantity, shipped AS shipped_quantity';

/** Appends movements to the ledger, with `?` placeholders for movementParams(); usable as a CTE. */
const INSERT_MOVEMENTS = `INSERT INTO inventory.stock_movement (sku, kind, on_hand_delta, reserved_delta, reason, reference, recorded_by)
  SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[])`;

function movementParams(movements: StockMovement[]): unknown[] {
  return [
    movements.map((m) => m.sku),
    movements.map((m) => m.kind),
    movements.map((m) => m.onHandDelta),
    movements.map((m) => m.reservedDelta),
    movements.map((m) => m.reason),
    movements.map((m) => m.reference),
    movements.map((m) => m.recordedBy ?? null),
  ];
}

/** The stock level of sku; undefined for an unknown SKU. */
export async function findStock(sql: Sql, sku: string): Promise<StockLevel | undefined> {
  const [stock] = await sql<StockLevel>(`SELECT ${STOCK_COLUMNS} FROM inventory.stock WHERE sku = ?`, [sku]);
  return stock;
}

/**
 * Changes sku's on_hand by delta unless that takes it below what is reserved; the new level, or undefined
 * when refused or sku is unknown.
 */
export async function changeOnHand(sql: Sql, sku: string, delta: number): Promise<StockLevel | undefined> {
  const [stock] = await sql<StockLevel>(
    `UPDATE inventory.stock SET on_hand = on_hand + ? WHERE sku = ? AND on_hand + ? >= reserved RETURNING ${STOCK_COLUMNS}`,
    [delta, sku, delta],
  );
  return stock;
}

/**
 * Writes off units of sku: on_hand falls by quantity and reserved by the held units among them (reservations
 * gave them up), unless the rest is more than the free stock; the new level, or undefined when refused.
 */
export async function writeOffUnits(sql: Sql, sku: string, quantity: number, held: number): Promise<StockLevel | undefined> {
  const [stock] = await sql<StockLevel>(
    `UPDATE inventory.stock SET on_hand = on_hand - ?, reserved = reserved - ?
     WHERE sku = ? AND reserved >= ? AND on_hand - ? >= reserved - ? RETURNING ${STOCK_COLUMNS}`,
    [quantity, held, sku, held, quantity, held],
  );
  return stock;
}

/** Locks the SKUs' stock rows in sorted order (no deadlocks); what is available of each SKU found. */
export async function lockStock(sql: Sql, skus: string[]): Promise<Map<string, number>> {
  const rows = await sql<{ sku: string; available: number }>(
    'SELECT sku, on_hand - reserved AS available FROM inventory.stock WHERE sku = ANY(?) ORDER BY sku FOR UPDATE',
    [skus],
  );
  return new Map(rows.map((row) => [row.sku, row.available]));
}

/** What reserve writes in one statement: units per SKU, per line, and the ledger entries. */
export interface ReservationWrite {
  perSku: Map<string, number>;
  perLine: ReservationRequest[];
  movements: StockMovement[];
}

/**
 * In one statement: raises the SKUs' reserved where available allows, adds to the lines' reservations
 * (not to a line reserved for another SKU) and appends to the ledger. Returns how many stock rows were
 * raised and the reservations written.
 */
export async function writeReservations(sql: Sql, write: ReservationWrite): Promise<{ raised: number; reservations: Reservation[] }> {
  // the outer join yields one row (its reservation columns null) even when no reservation was written, to carry the count
  const rows = await sql<{ raised: number } & { [K in keyof Reservation]: Reservation[K] | null }>(
    `WITH raised AS (
       UPDATE inventory.stock s SET reserved = s.reserved + g.quantity
       FROM unnest(?::text[], ?::int[]) AS g(sku, quantity)
       WHERE s.sku = g.sku AND s.on_hand - s.reserved >= g.quantity RETURNING s.sku),
     held AS (
       INSERT INTO inventory.reservation (line_id, sku, reserved)
       SELECT * FROM unnest(?::text[], ?::text[], ?::int[])
       ON CONFLICT (line_id) DO UPDATE SET reserved = reservation.reserved + excluded.reserved, update_time = now()
         WHERE reservation.sku = excluded.sku
       RETURNING ${RESERVATION_COLUMNS}),
     moved AS (${INSERT_MOVEMENTS})
     SELECT (SELECT count(*) FROM raised) AS raised, held.* FROM (VALUES (1)) AS one LEFT JOIN held ON true`,
    [
      [...write.perSku.keys()],
      [...write.perSku.values()],
      write.perLine.map((l) => l.lineId),
      write.perLine.map((l) => l.sku),
      write.perLine.map((l) => l.quantity),
      ...movementParams(write.movements),
    ],
  );
  const reservations = rows
    .filter((row) => row.lineId !== null)
    .map(({ raised, ...reservation }) => reservation as Reservation);
  return { raised: rows[0].raised, reservations };
}

/** The SKU each of these lines holds a reservation of, by line id (lines without one are left out). */
export async function findReservationSkus(sql: Sql, lineIds: string[]): Promise<Map<string, string>> {
  const rows = await sql<{ lineId: string; sku: string }>('SELECT line_id, sku FROM inventory.reservation WHERE line_id = ANY(?)', [lineIds]);
  return new Map(rows.map((row) => [row.lineId, row.sku]));
}

/**
 * Lowers lines' reservations by their quantities, counting them as shipped when shipping; a line holding
 * fewer units is left as it is and out of the result.
 */
export function takeReservedUnits(sql: Sql, lines: { lineId: string; quantity: number }[], shipping: boolean): Promise<Reservation[]> {
  return sql<Reservation>(
    `UPDATE inventory.reservation r SET reserved = r.reserved - t.quantity, shipped = r.shipped + t.quantity * ?, update_time = now()
     FROM unnest(?::text[], ?::int[]) AS t(id, quantity)
     WHERE r.line_id = t.id AND r.reserved >= t.quantity
     RETURNING ${RESERVATION_COLUMNS}`,
    [shipping ? 1 : 0, lines.map((l) => l.lineId), lines.map((l) => l.quantity)],
  );
}

/** Lowers the SKUs' reserved by units per SKU, and their on_hand too when shipping (the units leave). */
export async function takeStock(sql: Sql, perSku: Map<string, number>, shipping: boolean): Promise<void> {
  await sql(
    `UPDATE inventory.stock s SET reserved = s.reserved - t.quantity, on_hand = s.on_hand - t.quantity * ?
     FROM unnest(?::text[], ?::int[]) AS t(sku, quantity) WHERE s.sku = t.sku`,
    [shipping ? 1 : 0, [...perSku.keys()], [...perSku.values()]],
  );
}

/** Appends movements to the ledger. */
export async function recordMovements(sql: Sql, movements: StockMovement[]): Promise<void> {
  if (movements.length > 0) await sql(INSERT_MOVEMENTS, movementParams(movements));
}

/** Up to limit of sku's ledger entries with ids below beforeId, newest first. */
export function findMovements(sql: Sql, sku: string, beforeId: number, limit: number): Promise<RecordedMovement[]> {
  return sql<RecordedMovement>(
    `SELECT id AS movement_id, sku, kind, on_hand_delta, reserved_delta, reason, reference, create_time, recorded_by
     FROM inventory.stock_movement WHERE sku = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    [sku, beforeId, limit],
  );
}
