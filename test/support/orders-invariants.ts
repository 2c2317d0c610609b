import type { TestApp } from './harness';
import { expectStockAgrees, query } from './orders-fixtures';

interface QueueLine {
  lineId: string;
  priority: number;
  queueTime: string;
  waiting: number;
  reservedAtPlacement: number;
}

/**
 * Invariant 2 (FIFO) on a settled SKU: no line behind a still-waiting line (same or lower priority,
 * later in the queue) got stock at placement or from an allocation made after that line started waiting;
 * and free stock never sits next to waiting lines.
 */
export async function expectFifo(t: TestApp, sku: string): Promise<void> {
  const lines = await query<QueueLine>(
    t,
    `SELECT line_id AS "lineId", priority, to_char(queue_time, 'YYYY-MM-DD HH24:MI:SS.US') AS "queueTime", backordered AS waiting,
            quantity - initially_backordered AS "reservedAtPlacement"
     FROM orders.order_line WHERE sku = ? AND NOT pending ORDER BY priority DESC, queue_time, line_id`,
    [sku],
  );
  const allocations = await query<{ lineId: string; batchTime: string }>(
    t,
    `SELECT a.line_id AS "lineId", to_char(b.create_time, 'YYYY-MM-DD HH24:MI:SS.US') AS "batchTime"
     FROM orders.allocation a JOIN orders.allocation_batch b USING (batch_id) WHERE b.sku = ? AND a.quantity > 0`,
    [sku],
  );
  const violations: string[] = [];
  lines.forEach((waiting, i) => {
    if (waiting.waiting === 0) return;
    for (const behind of lines.slice(i + 1)) {
      if (behind.priority > waiting.priority) continue;
      if (behind.queueTime > waiting.queueTime && behind.reservedAtPlacement > 0) violations.push(`${behind.lineId} reserved at placement while ${waiting.lineId} waited`);
      for (const a of allocations.filter((x) => x.lineId === behind.lineId && x.batchTime > waiting.queueTime)) {
        violations.push(`${a.lineId} allocated at ${a.batchTime} while ${waiting.lineId} waited`);
      }
    }
  });
  expect(violations).toEqual([]);
  const { stock } = await t.inventory.getStock({ sku });
  if (lines.some((l) => l.waiting > 0)) expect(stock!.available).toBe(0);
}

/**
 * Invariant 3 (conservation) on Orders' side of a settled SKU: demand recorded minus demand cancelled
 * equals the units still waiting plus those filled by receipts (the demand's own supply).
 */
export async function expectConservation(t: TestApp, sku: string): Promise<void> {
  const [demand] = await query<{ recorded: number; cancelled: number }>(
    t,
    `SELECT coalesce(sum((payload->>'quantity')::int) FILTER (WHERE topic = 'procurement.record-demand'), 0)::int AS recorded,
            coalesce(sum((payload->>'quantity')::int) FILTER (WHERE topic = 'procurement.cancel-demand'), 0)::int AS cancelled
     FROM orders.outbox WHERE payload->>'demandId' IN (SELECT line_id FROM orders.order_line WHERE sku = ?)`,
    [sku],
  );
  const [lines] = await query<{ waiting: number; initially: number; cancelledWaiting: number }>(
    t,
    `SELECT coalesce(sum(backordered), 0)::int AS waiting, coalesce(sum(initially_backordered), 0)::int AS initially,
            coalesce(sum(cancelled_waiting), 0)::int AS "cancelledWaiting" FROM orders.order_line WHERE sku = ?`,
    [sku],
  );
  const [receipts] = await query<{ received: number; allocated: number }>(
    t,
    `SELECT coalesce(sum(receipt_quantity), 0)::int AS received,
            coalesce((SELECT sum(quantity) FROM orders.allocation a JOIN orders.allocation_batch b USING (batch_id) WHERE b.sku = ?), 0)::int AS allocated
     FROM orders.allocation_batch WHERE sku = ?`,
    [sku, sku],
  );
  const fromReceipts = Math.min(receipts.received, receipts.allocated);
  expect(demand.recorded).toBe(lines.initially);
  expect(demand.recorded - demand.cancelled).toBe(lines.waiting + fromReceipts);
}

/** Invariants 1-3 of a settled SKU. */
export async function expectInvariants(t: TestApp, sku: string): Promise<void> {
  await expectStockAgrees(t, [sku]);
  await expectFifo(t, sku);
  await expectConservation(t, sku);
}
