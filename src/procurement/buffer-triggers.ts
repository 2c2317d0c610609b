import { Batcher, type BatchOutcome } from '../platform/batcher';
import type { Clock } from '../platform/clock';
import { DomainError } from '../platform/errors';
import { sqlOf, type Orm } from '../platform/orm';
import { evaluateBuffers } from './buffers';
import { upsertSupplierProduct, type SupplierProduct } from './catalog';
import { recordDemand, recordDemands, type DemandRequest } from './demand';
import { loadPurchaseOrders, type PurchaseOrder } from './purchase-orders';
import { mayRelease } from './supplier.repository';

/**
 * Releases the supplier's buffer if demand that just arrived made a rule fire (after it committed, so
 * concurrent arrivals are all counted). A supplier with no rule that could fire now (no minimum, no maximum
 * wait, schedule not due, or paused) is not evaluated: its buffer is not even summed.
 */
async function releaseIfDue(orm: Orm, clock: Clock, supplierId: string): Promise<PurchaseOrder[]> {
  const asOf = clock.now();
  if (!supplierId || !(await mayRelease(sqlOf(orm.em), supplierId, asOf))) return [];
  const ids = await evaluateBuffers(orm, { asOf, supplierId });
  return loadPurchaseOrders(sqlOf(orm.em), ids);
}

/** A demand recorded, and the POs its supplier's rules released once it was. */
type Recorded = { supplierId: string; purchaseOrders: PurchaseOrder[] };

/**
 * RecordDemand for one Procurement instance: buffers the demand, then checks the threshold rules at once
 * rather than at the next tick. Demands arriving while others are recorded go together in the next
 * transaction (recordDemands: Orders' outbox delivers several at once), and each supplier that got demand has
 * its rules checked once for them all; a demand that grows again goes alone. When that transaction is refused
 * (a demand id reused with another quantity), each demand of it is recorded on its own, so only the wrong one
 * is refused.
 */
export function demandRecording(orm: Orm, clock: Clock): (demand: DemandRequest) => Promise<Recorded> {
  const batcher = new Batcher<DemandRequest, Recorded>((demands) => recordTogether(orm, clock, demands), { maxItems: 100, maxWeight: 100, weight: () => 1 });
  return async (demand) => {
    if (!demand.requestId) return batcher.submit(demand);
    const { supplierId } = await recordDemand(orm, clock, demand);
    return { supplierId, purchaseOrders: await releaseIfDue(orm, clock, supplierId) };
  };
}

async function recordTogether(orm: Orm, clock: Clock, demands: DemandRequest[]): Promise<BatchOutcome<Recorded>[]> {
  // a demand id twice (a retry racing its first call) waits for the next transaction
  const first = demands.filter((d, i) => demands.findIndex((other) => other.demandId === d.demandId) === i);
  let outcomes: BatchOutcome<{ supplierId: string }>[];
  try {
    const recorded = await recordDemands(orm, clock, first);
    outcomes = demands.map((d) => (first.includes(d) ? { status: 'fulfilled', value: recorded[first.indexOf(d)] } : { status: 'requeued' }));
  } catch (error) {
    if (!(error instanceof DomainError) || demands.length === 1) throw error;
    outcomes = [];
    for (const demand of demands) outcomes.push(await recordDemand(orm, clock, demand).then((value) => ({ status: 'fulfilled', value }), (reason: unknown) => ({ status: 'rejected', reason })));
  }
  const released = new Map<string, PurchaseOrder[]>();
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled' && !released.has(outcome.value.supplierId)) released.set(outcome.value.supplierId, await releaseIfDue(orm, clock, outcome.value.supplierId));
  }
  return outcomes.map((o) => (o.status === 'fulfilled' ? { status: 'fulfilled', value: { ...o.value, purchaseOrders: released.get(o.value.supplierId)! } } : o));
}

/** UpsertSupplierProduct: saves the product; demand that moved into the serving supplier's buffer may fire its rules. */
export async function upsertSupplierProductAndRelease(orm: Orm, clock: Clock, product: SupplierProduct & { currencyCode: string }): Promise<SupplierProduct> {
  const { product: saved, servingSupplierId } = await upsertSupplierProduct(orm, product);
  await releaseIfDue(orm, clock, servingSupplierId);
  return saved;
}

/** EvaluateBuffers: applies the rules as of a time (a planner's release with force) and returns the new POs in number order. */
export async function evaluateBuffersNow(orm: Orm, request: { asOf: Date; supplierId: string; force: boolean; releasedBy: string; releaseReason: string }): Promise<PurchaseOrder[]> {
  const ids = await evaluateBuffers(orm, request);
  const orders = await loadPurchaseOrders(sqlOf(orm.em), ids);
  return orders.sort((a, b) => a.number.localeCompare(b.number));
}
