import type { Allocation } from '../gen/restock/orders/v1/order';
import { OrderStatus } from '../gen/restock/orders/v1/order';
import { enqueue } from '../platform/outbox';
import { transaction, type Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { crashPoint } from './crash-points';
import { readyToShipEmail } from './customer-emails';
import { loadOrders } from './order-queries';
import { peerRefusal, peerUnavailable } from './peer-errors';
import { batchHolderId } from './reservation-holders';
import type { LockedSession } from './sku-locks';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';
import { READY_TO_SHIP_EMAILS, CANCEL_DEMAND } from './topics';


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

/**
 * The one routine that hands free stock of a SKU to its waiting lines, first-in-first-out by priority,
 * order time and line id, with partial fills. The caller holds the SKU's lock. It plans the batch in one
 * statement (a running sum over the queue), reserves the planned units in Inventory, then applies what
 * was reserved; a crash after any step is finished by running it again with the same batch id.
 */
export async function allocateFifo(deps: ServiceDeps, session: LockedSession, cause: AllocationCause): Promise<Allocation[]> {
  let [batch] = await session.sql<{ state: string; planned: number }>(
    `SELECT state, (SELECT coalesce(sum(planned), 0)::int FROM orders.allocation a WHERE a.batch_id = b.batch_id) AS planned
     FROM orders.allocation_batch b WHERE batch_id = ?`,
    [cause.batchId],
  );
  if (!batch) {
    const free = await freeStock(deps, cause.sku);
    const planned = await session.transaction((sql) => planBatch(sql, cause, free));
    if (planned === 0 && !cause.recordEmpty) return [];
    batch = { state: 'planned', planned };
    crashPoint('allocation.planned');
  }
  if (batch.state === 'applied') {
    return session.sql<Allocation>(
      `SELECT order_id AS "orderId", line_id AS "lineId", quantity FROM orders.allocation WHERE batch_id = ? AND quantity > 0 ORDER BY allocation_id`,
      [cause.batchId],
    );
  }
  const granted = batch.planned > 0 ? await reserve(deps, cause.batchId, cause.sku, batch.planned) : 0;
  crashPoint('allocation.reserved');
  return session.transaction((sql) => applyBatch(sql, deps.clock.now(), cause, granted));
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
    [cause.batchId, free, cause.sku, free],
  );
  if (units === 0 && !cause.recordEmpty) await sql(`DELETE FROM orders.allocation_batch WHERE batch_id = ?`, [cause.batchId]);
  return units;
}

/** Reserves the planned units in Inventory as one reservation held by the batch (one idempotent request); returns how many it got. */
async function reserve(deps: ServiceDeps, batchId: string, sku: string, planned: number): Promise<number> {
  try {
    const { results } = await deps.peers.inventory.reserveStock({
      requestId: batchHolderId(batchId),
      lines: [{ lineId: batchHolderId(batchId), sku, quantity: planned }],
      allowPartial: true,
    });
    return results[0].reservedQuantity;
  } catch (error) {
    throw peerUnavailable('inventory', error);
  }
}

/**
 * Applies a reserved batch in one transaction: the granted units go to the planned lines in queue order
 * (normally all of them; units that vanished meanwhile are missing from the end), then demand leaving
 * the buffer and (later) ready-to-ship emails.
 */
async function applyBatch(sql: Sql, now: Date, cause: AllocationCause, granted: number): Promise<Allocation[]> {
  const allocations = await sql<Allocation & { allocationId: string }>(
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
     SELECT allocation_id::text AS "allocationId", order_id AS "orderId", line_id AS "lineId", quantity FROM granted WHERE quantity > 0 ORDER BY allocation_id`,
    [granted, cause.batchId, now],
  );
  await sql(`UPDATE orders.allocation_batch SET state = 'applied' WHERE batch_id = ?`, [cause.batchId]);
  // Ready-to-ship emails are rendered by a follow-up outbox message, off the allocation's critical path.
  await enqueue(sql, 'orders', [
    ...demandLeavingBuffer(allocations, cause.receiptQuantity),
    message(READY_TO_SHIP_EMAILS, `ready-to-ship-emails:${cause.batchId}`, { batchId: cause.batchId }),
  ]);
  return allocations.map(({ orderId, lineId, quantity }) => ({ orderId, lineId, quantity }));
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
    await enqueue(sql, 'orders', ready.map((order) => message(EMAIL, `ready-to-ship:${order.orderId}`, readyToShipEmail(order))));
  });
}

/**
 * CancelDemand for allocated units that did not come from a purchase-order receipt: their demand
 * leaves the supplier buffer. Receipt units are that demand's own supply, so they cancel nothing.
 */
function demandLeavingBuffer(allocations: (Allocation & { allocationId: string })[], receiptQuantity: number) {
  let fromReceipt = receiptQuantity;
  return allocations.flatMap((a) => {
    const covered = Math.min(fromReceipt, a.quantity);
    fromReceipt -= covered;
    const quantity = a.quantity - covered;
    if (quantity <= 0) return [];
    const requestId = `alloc:${a.allocationId}`;
    return [message(CANCEL_DEMAND, `cancel-demand:${requestId}`, { demandId: a.lineId, quantity, requestId })];
  });
}
