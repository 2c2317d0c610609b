import type { Priority } from '../gen/restock/common/v1/priority';
import type { FulfillmentPolicy, Order } from '../gen/restock/orders/v1/order';
import { Batcher, settle, type BatchOutcome } from '../platform/batcher';
import { crashPoint } from '../platform/crash-point';
import { alreadyExists, notFound } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { uuidv7 } from '../platform/uuidv7';
import { loadOrder } from './order-queries';
import { findOrderByRequestId, writePendingOrders, type WrittenOrder } from './order.repository';
import { finishPlacement, finishPlacements } from './placement-states';
import { withSkuLocks, type LockedSession } from './sku-locks';

/** What a customer asks PlaceOrder for (validated). */
export interface PlaceOrderInput {
  requestId: string;
  customerId: string;
  customerEmail: string;
  priority: Priority;
  fulfillmentPolicy: FulfillmentPolicy;
  lines: { sku: string; quantity: number }[];
}

/**
 * At most 100 orders per batch (Inventory's BatchReserveStock limit) and 1,000 lines: a batch holds an
 * advisory lock per SKU, and PostgreSQL's lock table is shared (max_locks_per_transaction per connection).
 * Orders contend for their SKUs: those sharing a SKU are placed in arrival order.
 */
const BATCH_LIMITS = { maxItems: 100, maxWeight: 1000, weight: (input: PlaceOrderInput) => input.lines.length, keys: (input: PlaceOrderInput) => input.lines.map((l) => l.sku) };

/**
 * PlaceOrder for one Orders instance. Orders arriving while a batch is being placed are placed together
 * in the next batch, in arrival order, so concurrent customers share its locks, round trips and commits.
 */
export function orderPlacement(deps: ServiceDeps): (input: PlaceOrderInput) => Promise<Order> {
  const batcher = placementBatcher(deps);
  return (input) => batcher.submit(input);
}

/** Places orders that arrive together, starting them in one batch (requeued ones go again in a later batch). */
export function placeOrders(deps: ServiceDeps, inputs: PlaceOrderInput[]): Promise<PromiseSettledResult<Order>[]> {
  return placementBatcher(deps).submitAll(inputs);
}

function placementBatcher(deps: ServiceDeps): Batcher<PlaceOrderInput, Order> {
  return new Batcher<PlaceOrderInput, Order>((inputs, giveUpTurn) => placeBatch(deps, inputs, giveUpTurn), BATCH_LIMITS);
}

/**
 * Places a batch of orders as one saga serialized per SKU: write them pending, reserve what the FIFO gate
 * allows in Inventory, then finalize them in one statement (placement-states.ts). Each order succeeds,
 * fails or is requeued on its own. The same request id returns the same order; with another payload,
 * ALREADY_EXISTS. While another session holds one of its SKUs, the batch gives up its Batcher turn.
 */
async function placeBatch(deps: ServiceDeps, inputs: PlaceOrderInput[], whenBusy: () => void): Promise<BatchOutcome<Order>[]> {
  const skus = [...new Set(inputs.flatMap((input) => input.lines.map((l) => l.sku)))];
  return withSkuLocks(deps.orm, skus, (session) => placeLocked(deps, session, inputs), whenBusy);
}

async function placeLocked(deps: ServiceDeps, session: LockedSession, inputs: PlaceOrderInput[]): Promise<BatchOutcome<Order>[]> {
  const hashes = inputs.map((input) => requestHash(input));
  const firsts = inputs.filter((input, i) => inputs.findIndex((other) => other.requestId === input.requestId) === i);
  const written = await writePending(session.sql, deps.clock.now(), firsts, firsts.map((input) => hashes[inputs.indexOf(input)]));
  if (written.size > 0) crashPoint('placement.pending-written');
  const fresh = firsts.filter((input) => written.has(input.requestId));
  const outcomes = await finishPlacements(deps, session, fresh.map((input) => written.get(input.requestId)!));
  const ofFresh = new Map(fresh.map((input, i) => [input, outcomes[i]]));
  const ofRequest = new Map(fresh.map((input, i) => [input.requestId, { hash: hashes[inputs.indexOf(input)], outcome: outcomes[i] }]));
  // retries (of earlier requests, or of one in this batch) are answered once the new orders are placed
  const results: BatchOutcome<Order>[] = [];
  for (const [i, input] of inputs.entries()) {
    const first = ofRequest.get(input.requestId);
    if (ofFresh.has(input)) results.push(ofFresh.get(input)!);
    else if (first && first.hash === hashes[i]) results.push(first.outcome); // the same request twice in one batch
    else results.push(await settle(() => placeAgain(deps, session, input.requestId, hashes[i])));
  }
  return results;
}

/** The order a request id already placed (or started placing: it is finished now). */
async function placeAgain(deps: ServiceDeps, session: LockedSession, requestId: string, hash: string): Promise<Order> {
  const order = await findOrderByRequestId(session.sql, requestId);
  if (!order) throw notFound('order', requestId); // its first request was refused
  if (order.requestHash !== hash) throw alreadyExists(requestId, `request_id ${requestId} was already used for a different order`);
  return order.placement === 'placed' ? loadOrder(session.sql, order.orderId) : finishPlacement(deps, session, order.orderId);
}

/** A new order id: `ord-` and a UUIDv7, so ids neither count up nor can be guessed, yet sort as they were made. */
function newOrderId(): string {
  return `ord-${uuidv7()}`;
}

/** Writes the orders pending, each line with its reservation plan; by request id (a taken request id is left out). */
async function writePending(sql: Sql, now: Date, inputs: PlaceOrderInput[], hashes: string[]): Promise<Map<string, WrittenOrder>> {
  const rows = await writePendingOrders(sql, now, inputs.map((input, i) => ({ ...input, orderId: newOrderId(), requestHash: hashes[i] })));
  const byRequest = new Map(inputs.map((input) => [input.requestId, input]));
  const orders = new Map<string, WrittenOrder>();
  for (const { requestId, orderId, ...line } of rows) {
    const input = byRequest.get(requestId)!;
    const order = orders.get(requestId) ?? {
      orderId,
      placement: 'pending' as const,
      customerId: input.customerId,
      customerEmail: input.customerEmail,
      priority: input.priority,
      fulfillmentPolicy: input.fulfillmentPolicy,
      createTime: now,
      lines: [],
    };
    order.lines.push(line);
    orders.set(requestId, order);
  }
  return orders;
}
