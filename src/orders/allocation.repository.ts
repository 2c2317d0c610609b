import type { Allocation } from '../gen/restock/orders/v1/order';
import type { Sql } from '../platform/orm';

// Allocation batches (FIFO plans and what they granted), the reservations that hold allocated units, and
// reads of the backorder queue. Planning and applying a batch are one set-based statement each.

/** Where an allocation batch stands, and how many units it planned. */
export interface BatchState {
  state: 'planned' | 'applied';
  planned: number;
}

/** The batch's state and planned units, or undefined when there is no such batch. */
export async function findBatch(sql: Sql, batchId: string): Promise<BatchState | undefined> {
  const [batch] = await sql<BatchState>(
    `SELECT state, (SELECT coalesce(sum(planned), 0)::int FROM orders.allocation a WHERE a.batch_id = b.batch_id) AS planned
     FROM orders.allocation_batch b WHERE batch_id = ?`,
    [batchId],
  );
  return batch;
}

/** The content hash of the request that made the batch (a receipt's), if there is such a batch. */
export async function findBatchRequestHash(sql: Sql, batchId: string): Promise<{ requestHash: string | null } | undefined> {
  const [batch] = await sql<{ requestHash: string | null }>(`SELECT request_hash FROM orders.allocation_batch WHERE batch_id = ?`, [batchId]);
  return batch;
}

/** What an applied batch gave, line by line, in queue order. */
export function appliedAllocations(sql: Sql, batchId: string): Promise<Allocation[]> {
  return sql<Allocation>(`SELECT order_id, line_id, quantity FROM orders.allocation WHERE batch_id = ? AND quantity > 0 ORDER BY allocation_id`, [batchId]);
}

/** A SKU's batches a crash left planned, oldest first. */
export function plannedBatchesOfSku(sql: Sql, sku: string): Promise<{ batchId: string; receiptQuantity: number }[]> {
  return sql<{ batchId: string; receiptQuantity: number }>(
    `SELECT batch_id, receipt_quantity FROM orders.allocation_batch WHERE sku = ? AND state = 'planned' ORDER BY create_time`,
    [sku],
  );
}

/** The SKUs that have batches left planned. */
export async function skusWithPlannedBatches(sql: Sql): Promise<string[]> {
  return (await sql<{ sku: string }>(`SELECT DISTINCT sku FROM orders.allocation_batch WHERE state = 'planned'`)).map((r) => r.sku);
}

/** Records a new batch as planned. */
export async function insertPlannedBatch(sql: Sql, batch: { batchId: string; sku: string; requestHash: string | null; receiptQuantity: number }): Promise<void> {
  await sql(`INSERT INTO orders.allocation_batch (batch_id, sku, request_hash, receipt_quantity, state) VALUES (?, ?, ?, ?, 'planned')`, [
    batch.batchId,
    batch.sku,
    batch.requestHash,
    batch.receiptQuantity,
  ]);
}

/**
 * Plans a batch in one statement: the SKU's queue (priority, then queue time, then line id) with a running
 * sum decides which lines get how many of the free units. Returns how many units it planned.
 */
export async function planFifoBatch(sql: Sql, batchId: string, sku: string, free: number): Promise<number> {
  const [{ units }] = await sql<{ units: number }>(
    `WITH planned AS (
     INSERT INTO orders.allocation (batch_id, line_id, order_id, planned)
     SELECT ?, line_id, order_id, LEAST(backordered, ? - ahead)
     FROM (SELECT line_id, order_id, backordered, priority, queue_time,
                  sum(backordered) OVER (ORDER BY priority DESC, queue_time, line_id) - backordered AS ahead
           FROM orders.order_line WHERE sku = ? AND backordered > 0) AS queue
     WHERE ahead < ?
     ORDER BY priority DESC, queue_time, line_id
     RETURNING planned)
     SELECT coalesce(sum(planned), 0)::int AS units FROM planned`,
    [batchId, free, sku, free],
  );
  return units;
}

/** Deletes a batch (one that planned nothing). */
export async function deleteBatch(sql: Sql, batchId: string): Promise<void> {
  await sql(`DELETE FROM orders.allocation_batch WHERE batch_id = ?`, [batchId]);
}

/**
 * Applies a reserved batch in one statement: the granted units go to the planned lines in queue order
 * (units that vanished meanwhile are missing from the end), and the lines move them from backordered to
 * allocated. Returns the allocations that got units.
 */
export function grantBatch(sql: Sql, batchId: string, granted: number, now: Date): Promise<(Allocation & { allocationId: string })[]> {
  return sql<Allocation & { allocationId: string }>(
    `WITH granted AS (
       UPDATE orders.allocation a SET quantity = g.quantity, held = g.quantity
       FROM (SELECT allocation_id, GREATEST(0, LEAST(planned, ?::int - (sum(planned) OVER (ORDER BY allocation_id) - planned)))::int AS quantity
             FROM orders.allocation WHERE batch_id = ?) AS g
       WHERE a.allocation_id = g.allocation_id
       RETURNING a.allocation_id, a.line_id, a.order_id, a.quantity),
     filled AS (
       UPDATE orders.order_line l SET backordered = l.backordered - g.quantity, allocated = l.allocated + g.quantity,
         fill_time = CASE WHEN l.backordered = g.quantity THEN ?::timestamptz ELSE l.fill_time END
       FROM granted g WHERE g.line_id = l.line_id AND g.quantity > 0)
     SELECT allocation_id::text, order_id, line_id, quantity FROM granted WHERE quantity > 0 ORDER BY allocation_id`,
    [granted, batchId, now],
  );
}

/** Marks a batch applied. */
export async function markBatchApplied(sql: Sql, batchId: string): Promise<void> {
  await sql(`UPDATE orders.allocation_batch SET state = 'applied' WHERE batch_id = ?`, [batchId]);
}

/** The orders a batch gave units to that no longer wait for anything. */
export async function ordersFilledByBatch(sql: Sql, batchId: string): Promise<string[]> {
  const rows = await sql<{ orderId: string }>(
    `SELECT DISTINCT a.order_id FROM orders.allocation a
     WHERE a.batch_id = ? AND a.quantity > 0
       AND NOT EXISTS (SELECT 1 FROM orders.order_line l WHERE l.order_id = a.order_id AND l.backordered > 0)`,
    [batchId],
  );
  return rows.map((r) => r.orderId);
}

/** Units the lines hold in Inventory: each line's own (placement) reservation, and its batches' holds in order. */
export async function heldUnitsOfLines(
  sql: Sql,
  lineIds: string[],
): Promise<{ own: Map<string, number>; batches: { allocationId: number; batchId: string; lineId: string; held: number }[] }> {
  const own = await sql<{ lineId: string; heldOwn: number }>(`SELECT line_id, held_own FROM orders.order_line WHERE line_id = ANY(?)`, [lineIds]);
  const batches = await sql<{ allocationId: number; batchId: string; lineId: string; held: number }>(
    `SELECT allocation_id, batch_id, line_id, held FROM orders.allocation WHERE line_id = ANY(?) AND held > 0 ORDER BY allocation_id`,
    [lineIds],
  );
  return { own: new Map(own.map((r) => [r.lineId, r.heldOwn])), batches };
}

/** Takes units out of the holds: units per line id from their own reservation, units per allocation id from their batch's. */
export async function takeHeldUnitsFrom(sql: Sql, fromOwn: Map<string, number>, fromBatches: Map<number, number>): Promise<void> {
  await sql(`UPDATE orders.order_line l SET held_own = l.held_own - t.quantity FROM unnest(?::text[], ?::int[]) AS t(line_id, quantity) WHERE l.line_id = t.line_id`, [
    [...fromOwn.keys()],
    [...fromOwn.values()],
  ]);
  await sql(`UPDATE orders.allocation a SET held = a.held - t.quantity FROM unnest(?::bigint[], ?::int[]) AS t(id, quantity) WHERE a.allocation_id = t.id`, [
    [...fromBatches.keys()],
    [...fromBatches.values()],
  ]);
}

/** A waiting line in a SKU's queue, with its 1-based position and the units waiting ahead of it. */
export interface QueueEntry {
  orderId: string;
  lineId: string;
  waiting: number;
  priority: number;
  queueTime: Date;
  position: number;
  ahead: number;
}

/** Filters of a backorder listing: a priority (null = any) and the latest queue time (null = any age). */
export interface BackorderFilter {
  priority: number | null;
  queuedBy: Date | null;
}

/**
 * Up to limit waiting lines of a SKU after a queue position, in allocation order, that pass the filter.
 * Positions and units ahead count the whole queue, filtered out lines included.
 */
export function backorderQueuePage(sql: Sql, sku: string, filter: BackorderFilter, after: number, limit: number): Promise<QueueEntry[]> {
  return sql<QueueEntry>(
    `SELECT * FROM (
       SELECT order_id, line_id, backordered AS waiting, priority, queue_time,
              (row_number() OVER queue)::int AS position, (sum(backordered) OVER queue - backordered)::int AS ahead
       FROM orders.order_line WHERE sku = ? AND backordered > 0
       WINDOW queue AS (ORDER BY priority DESC, queue_time, line_id)) AS q
     WHERE position > ? AND (?::int IS NULL OR priority = ?::int) AND (?::timestamptz IS NULL OR queue_time <= ?::timestamptz)
     ORDER BY position LIMIT ?`,
    [sku, after, filter.priority, filter.priority, filter.queuedBy, filter.queuedBy, limit],
  );
}

/** Where a page of waiting lines across SKUs ends: SKU, priority, queue time (ISO text, microseconds) and line id. */
export type BackorderPosition = [sku: string, priority: number, queueTime: string, lineId: string];

/** A waiting line across SKUs: its place in its SKU's queue, the ETA stored for it, and its page position. */
export interface WaitingBackorder {
  orderId: string;
  lineId: string;
  sku: string;
  waiting: number;
  priority: number;
  queueTime: Date;
  queueKey: string;
  position: number;
  etaExpected: Date | null;
  etaLatest: Date | null;
  etaSource: number | null;
  etaPurchaseOrderId: string | null;
}

/**
 * Up to limit waiting lines after `after`, by SKU then each SKU's allocation order (the backorder_queue index
 * order), of some SKUs (null = all) and passing the filter; the redundant `sku >= ` bound starts the index scan
 * at the token. Each line's 1-based position counts its whole SKU queue: one pass over the queue of each SKU on
 * the page (by index, SKU by SKU), whatever the page's depth in it.
 */
export function backordersAcrossSkus(
  sql: Sql,
  skus: string[] | null,
  filter: BackorderFilter,
  after: BackorderPosition | null,
  limit: number,
): Promise<WaitingBackorder[]> {
  return sql<WaitingBackorder>(
    `WITH page AS (
       SELECT l.order_id, l.line_id, l.sku, l.backordered AS waiting, l.priority, l.queue_time,
         l.eta_expected, l.eta_latest, l.eta_source, l.eta_purchase_order_id
       FROM orders.order_line l
       WHERE l.backordered > 0 AND (?::text[] IS NULL OR l.sku = ANY(?::text[]))
         AND (?::int IS NULL OR l.priority = ?::int) AND (?::timestamptz IS NULL OR l.queue_time <= ?::timestamptz)
         AND (?::text IS NULL OR l.sku >= ?::text)
         AND (?::text IS NULL OR l.sku > ?::text OR (l.sku = ?::text AND (l.priority < ?::int
              OR (l.priority = ?::int AND (l.queue_time, l.line_id) > (?::timestamptz, ?::text)))))
       ORDER BY l.sku, l.priority DESC, l.queue_time, l.line_id LIMIT ?),
     queue AS (
       SELECT q.line_id, q.position FROM (SELECT DISTINCT sku FROM page) s CROSS JOIN LATERAL (
         SELECT w.line_id, (row_number() OVER (ORDER BY w.priority DESC, w.queue_time, w.line_id))::int AS position
         FROM orders.order_line w WHERE w.sku = s.sku AND w.backordered > 0) q)
     SELECT page.*, to_char(page.queue_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS queue_key, queue.position
     FROM page JOIN queue USING (line_id)
     ORDER BY page.sku, page.priority DESC, page.queue_time, page.line_id`,
    [skus, skus, filter.priority, filter.priority, filter.queuedBy, filter.queuedBy, after?.[0] ?? null, after?.[0] ?? null,
      after?.[0] ?? null, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, after?.[1] ?? null, after?.[2] ?? null, after?.[3] ?? null, limit],
  );
}
