import type { Sql } from '../platform/orm';

// Write-offs of allocated units: which lines lose units (the reverse of allocation order), and the record of
// each write-off (its holders and lines), so that a crash between the steps is finished by running it again.

/** A write-off as recorded. */
export interface WriteOffRow {
  requestId: string;
  requestHash: string;
  sku: string;
  quantity: number;
  freeQuantity: number;
  reason: string;
  recordedBy: string;
  holders: { lineId: string; quantity: number }[];
  state: 'taken' | 'applied' | 'refused';
  refusal: { reason: string; message: string } | null;
}

/** Units one line lost to a write-off. */
export interface WrittenOffLine {
  orderId: string;
  lineId: string;
  quantity: number;
}

/** The write-off recorded under a request id, if any. */
export async function findWriteOff(sql: Sql, requestId: string): Promise<WriteOffRow | undefined> {
  const [row] = await sql<WriteOffRow>(
    `SELECT request_id, request_hash, sku, quantity, free_quantity, reason, recorded_by, holders, state, refusal FROM orders.write_off WHERE request_id = ?`,
    [requestId],
  );
  return row;
}

/** The request ids of a SKU's write-offs a crash left taken (Inventory not yet told), oldest first. */
export async function takenWriteOffsOfSku(sql: Sql, sku: string): Promise<string[]> {
  const rows = await sql<{ requestId: string }>(`SELECT request_id FROM orders.write_off WHERE sku = ? AND state = 'taken' ORDER BY create_time`, [sku]);
  return rows.map((r) => r.requestId);
}

/** The SKUs that have write-offs left taken. */
export async function skusWithTakenWriteOffs(sql: Sql): Promise<string[]> {
  return (await sql<{ sku: string }>(`SELECT DISTINCT sku FROM orders.write_off WHERE state = 'taken'`)).map((r) => r.sku);
}

/** The lines a write-off took units from, in the order it took them. */
export function writtenOffLines(sql: Sql, requestId: string): Promise<WrittenOffLine[]> {
  return sql<WrittenOffLine>(`SELECT order_id, line_id, quantity FROM orders.write_off_line WHERE request_id = ? ORDER BY position`, [requestId]);
}

/**
 * Chooses the allocated units to write off, locking their lines: from the lines last in the SKU's allocation
 * order first (lowest priority, latest queue time, highest line id), the reverse of FIFO, up to units.
 */
export function chooseAllocatedUnits(sql: Sql, sku: string, units: number): Promise<WrittenOffLine[]> {
  return sql<WrittenOffLine>(
    `SELECT order_id, line_id, LEAST(allocated, ? - before)::int AS quantity FROM (
       SELECT order_id, line_id, allocated, priority, queue_time,
              sum(allocated) OVER (ORDER BY priority, queue_time DESC, line_id DESC) - allocated AS before
       FROM (SELECT order_id, line_id, allocated, priority, queue_time FROM orders.order_line
             WHERE sku = ? AND allocated > 0 AND NOT pending FOR UPDATE) AS locked) AS held
     WHERE before < ? ORDER BY priority, queue_time DESC, line_id DESC`,
    [units, sku, units],
  );
}

/**
 * Moves written-off units of lines from allocated back to backordered, at the lines' own place in the queue
 * (queue_time is kept); they count as backordered again (their demand is recorded again) and are no longer filled.
 */
export async function returnUnitsToQueue(sql: Sql, lines: WrittenOffLine[]): Promise<void> {
  await sql(
    `UPDATE orders.order_line l SET allocated = l.allocated - t.quantity, backordered = l.backordered + t.quantity,
       initially_backordered = l.initially_backordered + t.quantity, fill_time = NULL
     FROM unnest(?::text[], ?::int[]) AS t(line_id, quantity) WHERE l.line_id = t.line_id`,
    [lines.map((l) => l.lineId), lines.map((l) => l.quantity)],
  );
}

/** Records a write-off as taken, with its holders and lines. */
export async function insertWriteOff(sql: Sql, row: Omit<WriteOffRow, 'state' | 'refusal'>, lines: WrittenOffLine[], createTime: Date): Promise<void> {
  await sql(
    `INSERT INTO orders.write_off (request_id, request_hash, sku, quantity, free_quantity, reason, recorded_by, holders, state, create_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, 'taken', ?)`,
    [row.requestId, row.requestHash, row.sku, row.quantity, row.freeQuantity, row.reason, row.recordedBy, JSON.stringify(row.holders), createTime],
  );
  await sql(`INSERT INTO orders.write_off_line (request_id, order_id, line_id, quantity, position) SELECT ?, * FROM unnest(?::text[], ?::text[], ?::int[]) WITH ORDINALITY`, [
    row.requestId,
    lines.map((l) => l.orderId),
    lines.map((l) => l.lineId),
    lines.map((l) => l.quantity),
  ]);
}

/** Marks a taken write-off applied, or refused with Inventory's refusal. */
export async function settleWriteOff(sql: Sql, requestId: string, refusal: { reason: string; message: string } | null): Promise<void> {
  await sql(`UPDATE orders.write_off SET state = ?, refusal = ?::jsonb WHERE request_id = ? AND state = 'taken'`, [
    refusal ? 'refused' : 'applied',
    refusal ? JSON.stringify(refusal) : null,
    requestId,
  ]);
}
