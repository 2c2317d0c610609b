import { failedPrecondition, notFound } from '../platform/errors';
import { once } from '../platform/idempotency';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { message } from '../platform/topics';
import { recordMovements } from './ledger';
import { ALLOCATE_STOCK } from './topics';

/** StockLevel is the physical stock of one SKU. */
export interface StockLevel {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export const STOCK_COLUMNS = `sku, on_hand AS "onHand", reserved, on_hand - reserved AS available`;

/** Returns the stock level of sku. */
export function getStock(orm: Orm, sku: string): Promise<StockLevel> {
  return stockOf(sqlOf(orm.em), sku);
}

async function stockOf(sql: Sql, sku: string): Promise<StockLevel> {
  const [stock] = await sql<StockLevel>(`SELECT ${STOCK_COLUMNS} FROM inventory.stock WHERE sku = ?`, [sku]);
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
export function adjustStock(orm: Orm, adjustment: Adjustment): Promise<StockLevel> {
  return transaction(orm, (sql) =>
    once(sql, 'inventory', 'AdjustStock', adjustment.requestId, adjustment, async () => {
      const { sku, delta, reason, requestId } = adjustment;
      const [stock] = await sql<StockLevel>(
        `UPDATE inventory.stock SET on_hand = on_hand + ? WHERE sku = ? AND on_hand + ? >= reserved RETURNING ${STOCK_COLUMNS}`,
        [delta, sku, delta],
      );
      if (!stock) {
        const current = await stockOf(sql, sku);
        throw failedPrecondition('INSUFFICIENT_STOCK', `cannot remove ${-delta} of ${sku}: ${current.available} not reserved`, {
          sku,
          available: String(current.available),
        });
      }
      await recordMovements(sql, [{ sku, kind: 'ADJUSTMENT', onHandDelta: delta, reservedDelta: 0, reason, reference: requestId }]);
      if (delta > 0) await announceFreeStock(sql, [sku], `adjust:${requestId}`);
      return stock;
    }),
  );
}

export interface Receipt {
  receiptId: string;
  sku: string;
  quantity: number;
}

/** Adds delivered units to on_hand; once per receipt id. */
export function receiveStock(orm: Orm, receipt: Receipt): Promise<StockLevel> {
  return transaction(orm, (sql) =>
    once(sql, 'inventory', 'ReceiveStock', receipt.receiptId, receipt, async () => {
      const { receiptId, sku, quantity } = receipt;
      const [stock] = await sql<StockLevel>(`UPDATE inventory.stock SET on_hand = on_hand + ? WHERE sku = ? RETURNING ${STOCK_COLUMNS}`, [quantity, sku]);
      if (!stock) throw notFound('product', sku);
      await recordMovements(sql, [{ sku, kind: 'RECEIPT', onHandDelta: quantity, reservedDelta: 0, reason: 'receipt', reference: receiptId }]);
      await announceFreeStock(sql, [sku], `receipt:${receiptId}`);
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
