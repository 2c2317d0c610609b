import type { Arrival } from '../gen/restock/procurement/v1/buffer';
import { alreadyExists, failedPrecondition, type DomainError } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import { EMAIL } from '../platform/mail';
import { enqueue } from '../platform/outbox';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { message } from '../platform/topics';
import { writtenOffEmail } from './customer-emails';
import { refreshEtas } from './eta-refresh';
import { matchEtas, supplyForecast } from './etas';
import { loadOrders } from './order-queries';
import { updateLineEtas, waitingLinesOfSku } from './order.repository';
import { askPeer, peerRefusal, peerUnavailable } from './peer-errors';
import { finishPlannedBatches } from './receipts';
import { inventoryRequestId, takeHeldUnits } from './reservation-holders';
import { withSkuLocks, type LockedSession } from './sku-locks';
import { RECORD_DEMAND, RELEASE_STOCK } from './topics';
import { withOrderLink } from './customer-links';
import {
  chooseAllocatedUnits,
  findWriteOff,
  insertWriteOff,
  returnUnitsToQueue,
  settleWriteOff,
  takenWriteOffsOfSku,
  writtenOffLines,
  type WriteOffRow,
  type WrittenOffLine,
} from './write-off.repository';

/** What the warehouse writes off (validated). */
export interface WriteOffRequest {
  requestId: string;
  sku: string;
  quantity: number;
  reason: string;
}

/** What a write-off took: units of free stock, and allocated units line by line. */
export interface WriteOffResult {
  freeQuantity: number;
  lines: WrittenOffLine[];
}

/**
 * Writes off damaged or lost units of a SKU under its lock, as a saga finished by running it again:
 * 1. free units go first; the rest are taken from the lines last in allocation order (the reverse of FIFO), which
 *    wait again at their own place in the queue; their demand goes back to Procurement (RecordDemand, outbox);
 * 2. Inventory removes the units and the reservations' held units in one ledger entry, with who and why;
 * 3. the lines get their ETAs and their customers an email; the SKU's other ETAs are recomputed after.
 * If Inventory refuses step 2 (its free stock shrank meanwhile), the held units are released to the queue
 * instead, through the one allocation routine, and the refusal is the answer. Once per request id.
 */
export async function writeOffStock(deps: ServiceDeps, request: WriteOffRequest, recordedBy: string): Promise<WriteOffResult> {
  const result = await withSkuLocks(deps.orm, [request.sku], async (session) => {
    await finishPlannedBatches(deps, session, request.sku);
    await finishTakenWriteOffs(deps, session, request.sku);
    const hash = requestHash(request);
    let row = await findWriteOff(session.sql, request.requestId);
    if (row && row.requestHash !== hash) throw alreadyExists(request.requestId, `request_id ${request.requestId} was already used for another write-off`);
    if (!row) row = await take(deps, session, request, hash, recordedBy);
    if (row.state === 'refused') throw failedPrecondition(row.refusal!.reason, row.refusal!.message, { sku: row.sku });
    return { freeQuantity: row.freeQuantity, lines: await writtenOffLines(session.sql, row.requestId) };
  });
  if (result.lines.length > 0) await refreshEtas(deps, [request.sku]); // lines behind the returned units may slip
  return result;
}

/** Finishes the SKU's write-offs a crash left taken (the caller holds the SKU's lock). */
export async function finishTakenWriteOffs(deps: ServiceDeps, session: LockedSession, sku: string): Promise<void> {
  for (const requestId of await takenWriteOffsOfSku(session.sql, sku)) {
    await finish(deps, session, (await findWriteOff(session.sql, requestId))!, await supplyForecast(deps.peers, sku));
  }
}

/** Step 1: chooses the units and takes them away from the lines, in one transaction; then steps 2 and 3. */
async function take(deps: ServiceDeps, session: LockedSession, request: WriteOffRequest, hash: string, recordedBy: string): Promise<WriteOffRow> {
  const stock = await stockOf(deps, request.sku);
  if (request.quantity > stock.onHand) {
    throw failedPrecondition('INSUFFICIENT_STOCK', `cannot write off ${request.quantity} of ${request.sku}: ${stock.onHand} on hand`, { sku: request.sku, on_hand: String(stock.onHand) });
  }
  const fromAllocated = Math.max(0, request.quantity - stock.available);
  const arrivals = fromAllocated > 0 ? await supplyForecast(deps.peers, request.sku) : [];
  const row = await session.transaction(async (sql) => {
    const lines = fromAllocated > 0 ? await chooseAllocatedUnits(sql, request.sku, fromAllocated) : [];
    const allocated = lines.reduce((sum, l) => sum + l.quantity, 0);
    if (allocated < fromAllocated) {
      // Inventory holds units Orders no longer counts (a cancellation's release still on its way): not writable yet.
      throw failedPrecondition('STOCK_BEING_RELEASED', `${fromAllocated - allocated} reserved units of ${request.sku} are being released; retry shortly`, { sku: request.sku });
    }
    await returnUnitsToQueue(sql, lines);
    const holders = await takeHeldUnits(sql, lines);
    const written = { requestId: request.requestId, requestHash: hash, sku: request.sku, quantity: request.quantity, freeQuantity: request.quantity - allocated, reason: request.reason, recordedBy, holders };
    await insertWriteOff(sql, written, lines, deps.clock.now());
    await enqueue(
      sql,
      'orders',
      lines.map((l) => {
        const requestId = `writeoff:${request.requestId}:${l.lineId}`;
        return message(RECORD_DEMAND, `record-demand:${requestId}`, { demandId: l.lineId, sku: request.sku, quantity: l.quantity, requestId });
      }),
    );
    return { ...written, state: 'taken' as const, refusal: null };
  });
  return finish(deps, session, row, arrivals);
}

/**
 * Steps 2 and 3: Inventory removes the units (idempotent by the write-off's id); then the lines' ETAs and
 * emails, or, when Inventory refuses, the held units released back to the queue. Returns the row as settled.
 */
async function finish(deps: ServiceDeps, session: LockedSession, row: WriteOffRow, arrivals: Arrival[]): Promise<WriteOffRow> {
  const inventoryId = inventoryRequestId(`writeoff:${row.requestId}`);
  let refusal: DomainError | null = null;
  try {
    await deps.peers.inventory.writeOffStock({ requestId: inventoryId, sku: row.sku, quantity: row.quantity, reason: row.reason, recordedBy: row.recordedBy, lines: row.holders });
  } catch (error) {
    refusal = peerRefusal(error);
    if (!refusal) throw peerUnavailable('inventory', error);
  }
  return session.transaction(async (sql) => {
    if (refusal) {
      const settled = { reason: refusal.reason, message: refusal.message };
      await settleWriteOff(sql, row.requestId, settled);
      const releaseId = inventoryRequestId(`unwriteoff:${row.requestId}`);
      if (row.holders.length > 0) await enqueue(sql, 'orders', [message(RELEASE_STOCK, `release-stock:${releaseId}`, { requestId: releaseId, lines: row.holders })]);
      return { ...row, state: 'refused' as const, refusal: settled };
    }
    await settleWriteOff(sql, row.requestId, null);
    await tellCustomers(deps, sql, row, await writtenOffLines(sql, row.requestId), arrivals);
    return { ...row, state: 'applied' as const };
  });
}

/** The lines that wait again get their ETA from the forecast (as told) and each order one email. */
async function tellCustomers(deps: ServiceDeps, sql: Sql, row: WriteOffRow, lines: WrittenOffLine[], arrivals: Arrival[]): Promise<void> {
  if (lines.length === 0) return;
  const etas = matchEtas(await waitingLinesOfSku(sql, row.sku), arrivals);
  const returned = new Map(lines.map((l) => [l.lineId, etas.get(l.lineId)!]));
  await updateLineEtas(sql, returned, { told: true });
  const orders = await loadOrders(sql, [...new Set(lines.map((l) => l.orderId))]);
  await enqueue(
    sql,
    'orders',
    orders.map((order) => {
      const units = lines.filter((l) => l.orderId === order.orderId).map((l) => ({ sku: row.sku, quantity: l.quantity, eta: returned.get(l.lineId)! }));
      return message(EMAIL, `written-off:${row.requestId}:${order.orderId}`, withOrderLink(deps, order, writtenOffEmail(order, units)));
    }),
  );
}

async function stockOf(deps: ServiceDeps, sku: string): Promise<{ onHand: number; available: number }> {
  const { stock } = await askPeer('inventory', () => deps.peers.inventory.getStock({ sku }));
  return { onHand: stock?.onHand ?? 0, available: stock?.available ?? 0 };
}
