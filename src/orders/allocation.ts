import type { Allocation } from '../gen/restock/orders/v1/order';
import { OrderStatus } from '../gen/restock/orders/v1/order';
import { crashPoint } from '../platform/crash-point';
import { enqueue } from '../platform/outbox';
import { transaction, type Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import {
  appliedAllocations,
  deleteBatch,
  findBatch,
  grantBatch,
  insertPlannedBatch,
  markBatchApplied,
  ordersFilledByBatch,
  planFifoBatch,
} from './allocation.repository';
import { readyToShipEmail } from './customer-emails';
import { insertReadyToShipOfBatch } from './order-event.repository';
import { loadOrders } from './order-queries';
import { askPeer, peerUnavailable } from './peer-errors';
import { batchHolderId } from './reservation-holders';
import type { LockedSession } from './sku-locks';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';
import { READY_TO_SHIP_EMAILS, CANCEL_DEMAND } from './topics';
import { withOrderLink } from './customer-links';

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
  let batch = await findBatch(session.sql, cause.batchId);
  if (!batch) {
    const free = await freeStock(deps, cause.sku);
    const planned = await session.transaction((sql) => planBatch(sql, cause, free));
    if (planned === 0 && !cause.recordEmpty) return [];
    batch = { state: 'planned', planned };
    crashPoint('allocation.planned');
  }
  if (batch.state === 'applied') return appliedAllocations(session.sql, cause.batchId);
  const granted = batch.planned > 0 ? await reserve(deps, cause.batchId, cause.sku, batch.planned) : 0;
  crashPoint('allocation.reserved');
  return session.transaction((sql) => applyBatch(sql, deps.clock.now(), cause, granted));
}

async function freeStock(deps: ServiceDeps, sku: string): Promise<number> {
  return (await askPeer('inventory', () => deps.peers.inventory.getStock({ sku }))).stock?.available ?? 0;
}

/** Records the batch and its plan: the queue's running sum decides who gets how much of the free units. */
async function planBatch(sql: Sql, cause: AllocationCause, free: number): Promise<number> {
  await insertPlannedBatch(sql, { batchId: cause.batchId, sku: cause.sku, requestHash: cause.requestHash ?? null, receiptQuantity: cause.receiptQuantity });
  const units = await planFifoBatch(sql, cause.batchId, cause.sku, free);
  if (units === 0 && !cause.recordEmpty) await deleteBatch(sql, cause.batchId);
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
 * (normally all of them; units that vanished meanwhile are missing from the end), a READY_TO_SHIP event
 * for each order that may ship its new units, then demand leaving the buffer and (later) ready-to-ship emails.
 */
async function applyBatch(sql: Sql, now: Date, cause: AllocationCause, granted: number): Promise<Allocation[]> {
  const allocations = await grantBatch(sql, cause.batchId, granted, now);
  await markBatchApplied(sql, cause.batchId);
  await insertReadyToShipOfBatch(sql, cause.batchId, now);
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
    const ready = (await loadOrders(sql, await ordersFilledByBatch(sql, batchId))).filter((o) => o.status === OrderStatus.ORDER_STATUS_READY_TO_SHIP);
    await enqueue(sql, 'orders', ready.map((order) => message(EMAIL, `ready-to-ship:${order.orderId}`, withOrderLink(deps, order, readyToShipEmail(order)))));
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
