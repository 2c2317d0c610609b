import { randomUUID } from 'node:crypto';
import type { Allocation } from '../gen/restock/orders/v1/order';
import { alreadyExists } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import type { ServiceDeps } from '../platform/service-module';
import { allocateFifo } from './allocation';
import { findBatchRequestHash, plannedBatchesOfSku } from './allocation.repository';
import { askPeer } from './peer-errors';
import { withSkuLocks, type LockedSession } from './sku-locks';

export interface Receipt {
  receiptId: string;
  sku: string;
  quantity: number;
}

/**
 * Receives a supplier delivery in Inventory (same receipt id) and allocates it FIFO to waiting lines;
 * the rest stays free stock. Inventory is told that Orders allocates the receipt (callerAllocates), so
 * it does not announce the units as grown free stock and they are allocated once. Idempotent by
 * receipt id: a retry returns the first allocations.
 */
export async function applyReceipt(deps: ServiceDeps, receipt: Receipt): Promise<{ allocations: Allocation[]; unallocatedQuantity: number }> {
  const hash = requestHash(receipt);
  const batchId = `receipt:${receipt.receiptId}`;
  return withSkuLocks(deps.orm, [receipt.sku], async (session) => {
    await finishPlannedBatches(deps, session, receipt.sku);
    const batch = await findBatchRequestHash(session.sql, batchId);
    if (batch && batch.requestHash !== hash) throw alreadyExists(receipt.receiptId, `receipt ${receipt.receiptId} was already applied with other content`);
    if (!batch) {
      await askPeer('inventory', () => deps.peers.inventory.receiveStock({ receiptId: receipt.receiptId, sku: receipt.sku, quantity: receipt.quantity, callerAllocates: true }));
    }
    const allocations = await allocateFifo(deps, session, { batchId, sku: receipt.sku, receiptQuantity: receipt.quantity, requestHash: hash, recordEmpty: true });
    const allocated = allocations.reduce((sum, a) => sum + a.quantity, 0);
    return { allocations, unallocatedQuantity: Math.max(0, receipt.quantity - allocated) };
  });
}

/** Hands a SKU's free stock to its waiting lines (Inventory announces every increase of free stock). */
export function allocateStock(deps: ServiceDeps, sku: string): Promise<Allocation[]> {
  return withSkuLocks(deps.orm, [sku], async (session) => {
    await finishPlannedBatches(deps, session, sku);
    return allocateFifo(deps, session, { batchId: `stock:${sku}:${randomUUID()}`, sku, receiptQuantity: 0 });
  });
}

/** Batches of the SKU a crash left planned go first, so a receipt's units keep their receipt (and no demand is cancelled for them). */
export async function finishPlannedBatches(deps: ServiceDeps, session: LockedSession, sku: string): Promise<void> {
  for (const batch of await plannedBatchesOfSku(session.sql, sku)) await allocateFifo(deps, session, { ...batch, sku });
}
