import type { StockLevel } from '../gen/restock/inventory/v1/stock';
import { failedPrecondition, notFound } from '../platform/errors';
import { once } from '../platform/idempotency';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { message } from '../platform/topics';
import type { ReservationQuantity } from '../gen/restock/inventory/v1/stock';
import {
  changeOnHand, findMovements, findReservationSkus, findStock, lockStock, recordMovements, takeReservedUnits, writeOffUnits, type RecordedMovement,
} from './stock.repository';
import { ALLOCATE_STOCK } from './topics';

/** Returns the stock level of sku. */
export async function getStock(orm: Orm, sku: string): Promise<StockLevel> {
  const stock = await findStock(sqlOf(orm.em), sku);
  if (!stock) throw notFound('product', sku);
  return stock;
}

export interface Adjustment {
  requestId: string;
  sku: string;
  delta: number;
  reason: string;
}

/** Changes on_hand by delta, never below what is reserved; once per request id. */
export function adjustStock(orm: Orm, adjustment: Adjustment, recordedBy: string): Promise<StockLevel> {
  return transaction(orm, (sql) =>
    once(sql, 'inventory', 'AdjustStock', adjustment.requestId, adjustment, async () => {
      const { sku, delta, reason, requestId } = adjustment;
      const stock = await changeOnHand(sql, sku, delta);
      if (!stock) {
        const current = await findStock(sql, sku);
        if (!current) throw notFound('product', sku);
        throw failedPrecondition('INSUFFICIENT_STOCK', `cannot remove ${-delta} of ${sku}: ${current.available} not reserved (OrdersService.WriteOffStock writes off reserved units)`, {
          sku,
          available: String(current.available),
        });
      }
      await recordMovements(sql, [{ sku, kind: 'ADJUSTMENT', onHandDelta: delta, reservedDelta: 0, reason, reference: requestId, recordedBy }]);
      if (delta > 0) await announceFreeStock(sql, [sku], `adjust:${requestId}`);
      return stock;
    }),
  );
}

/** WriteOff removes damaged or lost units: the units the listed reservations give up, the rest free stock. */
export interface WriteOff {
  requestId: string;
  sku: string;
  quantity: number;
  reason: string;
  recordedBy: string;
  lines: ReservationQuantity[];
}

/**
 * Writes off units in one transaction, once per request id: the reservations give up their listed units and
 * on_hand falls by quantity (reserved by the held part), kept in the ledger as one WRITE_OFF with who and why.
 * FAILED_PRECONDITION when a reservation holds fewer units, holds another SKU, or the free stock is short.
 */
export function writeOffStock(orm: Orm, writeOff: WriteOff): Promise<StockLevel> {
  return transaction(orm, (sql) =>
    once(sql, 'inventory', 'WriteOffStock', writeOff.requestId, writeOff, async () => {
      const { requestId, sku, quantity, reason, recordedBy, lines } = writeOff;
      if (!(await lockStock(sql, [sku])).has(sku)) throw notFound('product', sku);
      const skuOf = await findReservationSkus(sql, lines.map((l) => l.lineId));
      const missing = lines.find((l) => skuOf.get(l.lineId) !== sku);
      if (missing) throw notFound('reservation', missing.lineId);
      const taken = await takeReservedUnits(sql, lines, false);
      if (taken.length !== lines.length) throw failedPrecondition('RESERVATION_EXCEEDED', 'a reservation holds fewer units than it is to give up');
      const held = lines.reduce((sum, l) => sum + l.quantity, 0);
      const stock = await writeOffUnits(sql, sku, quantity, held);
      if (!stock) {
        const current = (await findStock(sql, sku))!;
        throw failedPrecondition('INSUFFICIENT_STOCK', `cannot write off ${quantity} of ${sku}: ${current.available} free and ${held} given up by reservations`, {
          sku,
          available: String(current.available),
        });
      }
      await recordMovements(sql, [{ sku, kind: 'WRITE_OFF', onHandDelta: -quantity, reservedDelta: -held, reason, reference: requestId, recordedBy }]);
      return stock;
    }),
  );
}

export interface Receipt {
  receiptId: string;
  sku: string;
  quantity: number;
  /** The caller hands the units to waiting lines itself, so they are not announced as free stock. */
  callerAllocates: boolean;
}

/** Adds delivered units to on_hand and, unless the caller allocates them, announces them; once per receipt id. */
export function receiveStock(orm: Orm, receipt: Receipt): Promise<StockLevel> {
  return transaction(orm, (sql) =>
    once(sql, 'inventory', 'ReceiveStock', receipt.receiptId, receipt, async () => {
      const { receiptId, sku, quantity } = receipt;
      const stock = await changeOnHand(sql, sku, quantity); // never refused: quantity is positive
      if (!stock) throw notFound('product', sku);
      await recordMovements(sql, [{ sku, kind: 'RECEIPT', onHandDelta: quantity, reservedDelta: 0, reason: 'receipt', reference: receiptId }]);
      if (!receipt.callerAllocates) await announceFreeStock(sql, [sku], `receipt:${receiptId}`);
      return stock;
    }),
  );
}

/** Tells Orders (through the outbox) that free stock of these SKUs grew, so waiting lines get it first. */
export async function announceFreeStock(sql: Sql, skus: string[], cause: string): Promise<void> {
  await enqueue(
    sql,
    'inventory',
    skus.map((sku) => message(ALLOCATE_STOCK, `allocate-stock:${sku}:${cause}`, { sku })),
  );
}

/** A page of one SKU's ledger, newest first. */
export async function listMovements(orm: Orm, sku: string, limit: number, pageToken: string): Promise<{ movements: RecordedMovement[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, (p): p is number => Number.isSafeInteger(p));
  const movements = await findMovements(sqlOf(orm.em), sku, after ?? Number.MAX_SAFE_INTEGER, limit + 1);
  const page = movements.slice(0, limit);
  const nextPageToken = movements.length > limit ? encodePageToken(page[page.length - 1].movementId) : '';
  return { movements: page, nextPageToken };
}
