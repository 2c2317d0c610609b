import { createHash } from 'node:crypto';
import type { Allocation } from '../gen/restock/orders/v1/order';
import { OrderStatus } from '../gen/restock/orders/v1/order';
import { enqueue } from '../platform/outbox';
import { transaction, type Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { crashPoint } from './crash-points';
import { readyToShipEmail } from './customer-emails';
import { loadOrders } from './order-queries';
import { peerRefusal, peerUnavailable } from './peer-errors';
import type { LockedSession } from './sku-locks';

// Inventory takes at most 100 lines per ReserveStock.
const RESERVE_CHUNK = 100;
const RESERVE_CONCURRENCY = 4;

/** Why stock is being allocated: the batch id makes it happen once; receipt units need no CancelDemand. */
export interface AllocationCause {
  batchId: string;
  sku: string;
  /** Units of the free stock that arrived on a purchase order (they are the demand's own supply). */
  receiptQuantity: number;
  requestHash?: string;
  /** Record the batch even when nothing waits (receipts, so a retry finds it). */
  recordEmpty?: boolean;
}

interface PlannedAllocation {
  allocationId: string;
  lineId: string;
  orderId: string;
  planned: number;
  quantity: number | null;
}

/**
 * The one routine that hands free stock of a SKU to its waiting lines, first-in-first-out by priority,
 * order time and line id, with partial fills. The caller holds the SKU's lock. It plans the batch in one
 * statement (a running sum over the queue), reserves the planned units in Inventory, then applies what
 * was reserved; a crash after any step is finished by running it again with the same batch id.
 */
export async function allocateFifo(deps: ServiceDeps, session: LockedSession, cause: AllocationCause): Promise<Allocation[]> {
  let [batch] = await session.sql<{ state: string }>(`SELECT state FROM orders.allocation_batch WHERE batch_id = ?`, [cause.batchId]);
  if (!batch) {
    const free = await freeStock(deps, cause.sku);
    const planned = await session.transaction((sql) => planBatch(sql, cause, free));
    if (planned === 0 && !cause.recordEmpty) return [];
    batch = { state: 'planned' };
    crashPoint('allocation.planned');
  }
  const plan = await session.sql<PlannedAllocation>(
    `SELECT allocation_id AS "allocationId", line_id AS "lineId", order_id AS "orderId", planned, quantity
     FROM orders.allocation WHERE batch_id = ? ORDER BY allocation_id`,
    [cause.batchId],
  );
  if (batch.state === 'planned') {
    const reserved = await reserve(deps, cause.batchId, cause.sku, plan);
    crashPoint('allocation.reserved');
    for (const allocation of plan) allocation.quantity = reserved.get(allocation.lineId) ?? 0;
    await session.transaction((sql) => applyBatch(sql, deps.clock.now(), cause, plan));
  }
  return plan.filter((a) => (a.quantity ?? 0) > 0).map((a) => ({ orderId: a.orderId, lineId: a.lineId, quantity: a.quantity! }));
}

async function freeStock(deps: ServiceDeps, sku: string): Promise<number> {
  try {
    return (await deps.peers.inventory.getStock({ sku })).stock?.available ?? 0;
  } catch (error) {
    throw peerRefusal(error) ?? peerUnavailable('inventory', error);
  }
}

/** Records the batch and its plan: the queue's running sum decides who gets how much of the free units. */
async function planBatch(sql: Sql, cause: AllocationCause, free: number): Promise<number> {
  await sql(`INSERT INTO orders.allocation_batch (batch_id, sku, request_hash, receipt_quantity, state) VALUES (?, ?, ?, ?, 'planned')`, [
    cause.batchId,
    cause.sku,
    cause.requestHash ?? null,
    cause.receiptQuantity,
  ]);
  const rows = await sql(
    `INSERT INTO orders.allocation (batch_id, line_id, order_id, planned)
     SELECT ?, line_id, order_id, LEAST(backordered, ? - ahead)
     FROM (SELECT line_id, order_id, backordered, priority, queue_time,
                  sum(backordered) OVER (ORDER BY priority DESC, queue_time, line_id) - backordered AS ahead
           FROM orders.order_line WHERE sku = ? AND backordered > 0) AS queue
     WHERE ahead < ?
     ORDER BY priority DESC, queue_time, line_id
     RETURNING allocation_id`,
    [cause.batchId, free, cause.sku, free],
  );
  if (rows.length === 0 && !cause.recordEmpty) await sql(`DELETE FROM orders.allocation_batch WHERE batch_id = ?`, [cause.batchId]);
  return rows.length;
}

/**
 * Reserves the plan in Inventory, 100 lines per idempotent request, a few requests in flight at once
 * (normally the plan fits the free stock exactly; stock that vanished meanwhile is simply not allocated).
 */
async function reserve(deps: ServiceDeps, batchId: string, sku: string, plan: PlannedAllocation[]): Promise<Map<string, number>> {
  const chunks = Array.from({ length: Math.ceil(plan.length / RESERVE_CHUNK) }, (_, i) => plan.slice(i * RESERVE_CHUNK, (i + 1) * RESERVE_CHUNK));
  const reserved = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const index = next++;
      try {
        const { results } = await deps.peers.inventory.reserveStock({
          requestId: inventoryRequestId(`alloc:${batchId}:${index}`),
          lines: chunks[index].map((a) => ({ lineId: a.lineId, sku, quantity: a.planned })),
          allowPartial: true,
        });
        for (const r of results) reserved.set(r.lineId, r.reservedQuantity);
      } catch (error) {
        throw peerUnavailable('inventory', error);
      }
    }
  };
  await Promise.all(Array.from({ length: RESERVE_CONCURRENCY }, worker));
  return reserved;
}

/** Applies a reserved batch in one transaction: lines, demand leaving the buffer, and (later) ready-to-ship emails. */
async function applyBatch(sql: Sql, now: Date, cause: AllocationCause, plan: PlannedAllocation[]): Promise<void> {
  await sql(
    `WITH granted AS (
       UPDATE orders.allocation a SET quantity = r.quantity FROM unnest(?::bigint[], ?::int[]) AS r(id, quantity)
       WHERE a.allocation_id = r.id RETURNING a.line_id, a.quantity)
     UPDATE orders.order_line l SET backordered = l.backordered - g.quantity, allocated = l.allocated + g.quantity,
       fill_time = CASE WHEN l.backordered = g.quantity THEN ?::timestamptz ELSE l.fill_time END
     FROM granted g WHERE g.line_id = l.line_id AND g.quantity > 0`,
    [plan.map((a) => a.allocationId), plan.map((a) => a.quantity), now],
  );
  await sql(`UPDATE orders.allocation_batch SET state = 'applied' WHERE batch_id = ?`, [cause.batchId]);
  // Ready-to-ship emails are rendered by a follow-up outbox message, off the allocation's critical path.
  await enqueue(sql, 'orders', [
    ...demandLeavingBuffer(plan, cause.receiptQuantity),
    { topic: 'orders.ready-to-ship-emails', key: `ready-to-ship-emails:${cause.batchId}`, payload: { batchId: cause.batchId } },
  ]);
}

/** Enqueues a ready-to-ship email for each order a batch made ready (once per order, by its dedupe key). */
export function sendReadyToShipEmails(deps: ServiceDeps, batchId: string): Promise<void> {
  return transaction(deps.orm, async (sql) => {
    const filled = await sql<{ orderId: string }>(
      `SELECT DISTINCT a.order_id AS "orderId" FROM orders.allocation a
       WHERE a.batch_id = ? AND a.quantity > 0
         AND NOT EXISTS (SELECT 1 FROM orders.order_line l WHERE l.order_id = a.order_id AND l.backordered > 0)`,
      [batchId],
    );
    const ready = (await loadOrders(sql, filled.map((r) => r.orderId))).filter((o) => o.status === OrderStatus.ORDER_STATUS_READY_TO_SHIP);
    await enqueue(sql, 'orders', ready.map((order) => ({ topic: 'email', key: `ready-to-ship:${order.orderId}`, payload: readyToShipEmail(order) })));
  });
}

/**
 * CancelDemand for allocated units that did not come from a purchase-order receipt: their demand
 * leaves the supplier buffer. Receipt units are that demand's own supply, so they cancel nothing.
 */
function demandLeavingBuffer(plan: PlannedAllocation[], receiptQuantity: number) {
  let fromReceipt = receiptQuantity;
  return plan.flatMap((a) => {
    const covered = Math.min(fromReceipt, a.quantity ?? 0);
    fromReceipt -= covered;
    const quantity = (a.quantity ?? 0) - covered;
    if (quantity <= 0) return [];
    const requestId = `alloc:${a.allocationId}`;
    return [{ topic: 'procurement.cancel-demand', key: `cancel-demand:${requestId}`, payload: { demandId: a.lineId, quantity, requestId } }];
  });
}

/** An Inventory request id (at most 128 characters): long keys are shortened to a hash. */
export function inventoryRequestId(key: string): string {
  return key.length <= 128 ? key : `h:${createHash('sha256').update(key).digest('hex')}`;
}
