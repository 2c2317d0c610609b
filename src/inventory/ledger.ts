import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, type Orm, type Sql } from '../platform/orm';

export type MovementKind = 'ADJUSTMENT' | 'RECEIPT' | 'RESERVATION' | 'RELEASE' | 'SHIPMENT';

/** StockMovement is one entry of the append-only stock ledger. */
export interface StockMovement {
  sku: string;
  kind: MovementKind;
  onHandDelta: number;
  reservedDelta: number;
  reason: string;
  reference: string;
}

/** The INSERT appending movements to the ledger, with `?` placeholders for movementParams(); usable as a CTE. */
export const INSERT_MOVEMENTS = `INSERT INTO inventory.stock_movement (sku, kind, on_hand_delta, reserved_delta, reason, reference)
  SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::text[], ?::text[])`;

export function movementParams(movements: StockMovement[]): unknown[] {
  return [
    movements.map((m) => m.sku),
    movements.map((m) => m.kind),
    movements.map((m) => m.onHandDelta),
    movements.map((m) => m.reservedDelta),
    movements.map((m) => m.reason),
    movements.map((m) => m.reference),
  ];
}

/** Appends movements to the ledger in the caller's transaction. */
export async function recordMovements(sql: Sql, movements: StockMovement[]): Promise<void> {
  if (movements.length > 0) await sql(INSERT_MOVEMENTS, movementParams(movements));
}

/** A page of one SKU's ledger, newest first. */
export async function listMovements(orm: Orm, sku: string, limit: number, pageToken: string) {
  const after = decodePageToken(pageToken, (p): p is number => Number.isSafeInteger(p));
  const rows = await sqlOf(orm.em)<StockMovement & { movementId: string; createTime: string }>(
    `SELECT id::text AS "movementId", sku, kind, on_hand_delta AS "onHandDelta", reserved_delta AS "reservedDelta",
            reason, reference, create_time AS "createTime"
     FROM inventory.stock_movement WHERE sku = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    [sku, after ?? Number.MAX_SAFE_INTEGER, limit + 1],
  );
  // timestamps come back as text from the ORM's connection
  const movements = rows.map((row) => ({ ...row, movementId: Number(row.movementId), createTime: new Date(row.createTime) }));
  const page = movements.slice(0, limit);
  const nextPageToken = movements.length > limit ? encodePageToken(page[page.length - 1].movementId) : '';
  return { movements: page, nextPageToken };
}
