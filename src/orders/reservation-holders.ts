import { createHash } from 'node:crypto';
import type { Sql } from '../platform/orm';
import { heldUnitsOfLines, takeHeldUnitsFrom } from './allocation.repository';

/**
 * The Inventory reservation id holding an allocation batch's units: one reservation per batch, so
 * allocating to thousands of lines is one ReserveStock (Orders knows which line owns which unit).
 */
export function batchHolderId(batchId: string): string {
  return inventoryRequestId(`alloc:${batchId}`);
}

/** An Inventory request or reservation id (at most 128 characters): long keys are shortened to a hash. */
export function inventoryRequestId(key: string): string {
  return key.length <= 128 ? key : `h:${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * Takes units of lines out of the reservations that hold them — the line's own (placement) first, then
 * its allocation batches in order — and returns the Inventory lines to release or ship, one per holder.
 * Runs in the caller's transaction, with the lines locked.
 */
export async function takeHeldUnits(sql: Sql, take: { lineId: string; quantity: number }[]): Promise<{ lineId: string; quantity: number }[]> {
  if (take.length === 0) return [];
  const { own, batches } = await heldUnitsOfLines(sql, take.map((t) => t.lineId));
  const fromOwn = new Map<string, number>();
  const fromBatches = new Map<number, number>();
  const perHolder = new Map<string, number>();
  for (const { lineId, quantity } of take) {
    let rest = quantity - Math.min(own.get(lineId) ?? 0, quantity);
    fromOwn.set(lineId, quantity - rest);
    if (quantity - rest > 0) perHolder.set(lineId, quantity - rest);
    for (const allocation of batches.filter((b) => b.lineId === lineId && rest > 0)) {
      const units = Math.min(allocation.held, rest);
      rest -= units;
      fromBatches.set(allocation.allocationId, units);
      const holder = batchHolderId(allocation.batchId);
      perHolder.set(holder, (perHolder.get(holder) ?? 0) + units);
    }
    if (rest > 0) throw new Error(`line ${lineId} holds fewer than ${quantity} units in Inventory`); // allocated units are always held
  }
  await takeHeldUnitsFrom(sql, fromOwn, fromBatches);
  return [...perHolder].map(([lineId, quantity]) => ({ lineId, quantity }));
}
