import type { Priority } from '../gen/restock/common/v1/priority';
import type { FulfillmentPolicy, Order } from '../gen/restock/orders/v1/order';
import { Batcher, settle } from '../platform/batcher';
import { alreadyExists, notFound } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { crashPoint } from './crash-points';
import { loadOrder } from './order-queries';
import { findOrderByRequestId, writePendingOrders } from './order.repository';
import { finishPlacement, finishPlacements, type PendingOrder } from './placement-completion';
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
 */
const BATCH_LIMITS = { maxItems: 100, maxWeight: 1000, weight: (input: PlaceOrderInput) => input.lines.length, keys: (input: PlaceOrderInput) => input.lines.map((l) => l.sku) };

/**
 * PlaceOrder for one Orders instance. Orders arriving while a batch is being placed are placed together
 * in the next batch, in arrival order, so concurrent customers share its locks, round trips and commits.
 */
export function orderPlacement(deps: ServiceDeps): (input: PlaceOrderInput) => Promise<Order> {
  const batcher = new Batcher<PlaceOrderInput, Order>((inputs, giveUpTurn) => placeOrders(deps, inputs, giveUpTurn), BATCH_LIMITS);
  return (input) => batcher.submit(input);
}

/**
 * Places orders as one saga serialized per SKU: write them pending, reserve what the FIFO gate allows in
 * Inventory (request id "place:<order_id>" per order, so a retry or recovery reserves once), then
 * finalize them in one statement. Each order succeeds or fails on its own. The same request id returns
 * the same order; with another payload, ALREADY_EXISTS.
 */
export async function placeOrders(deps: ServiceDeps, inputs: PlaceOrderInput[], whenBusy?: () => void): Promise<PromiseSettledResult<Order>[]> {
  const skus = [...new Set(inputs.flatMap((input) => input.lines.map((l) => l.sku)))];
  return withSkuLocks(deps.orm, skus, (session) => placeLocked(deps, session, inputs), whenBusy);
}

async function placeLocked(deps: ServiceDeps, session: LockedSession, inputs: PlaceOrderInput[]): Promise<PromiseSettledResult<Order>[]> {
  const hashes = new Map(inputs.map((input) => [input, requestHash(input)]));
  const firsts = inputs.filter((input, i) => inputs.findIndex((other) => other.requestId === input.requestId) === i);
  const written = await writePending(session.sql, deps.clock.now(), firsts, firsts.map((input) => hashes.get(input)!));
  if (written.size > 0) crashPoint('placement.pending-written');
  const fresh = firsts.filter((input) => written.has(input.requestId));
  const outcomes = await finishPlacements(deps, session, fresh.map((input) => written.get(input.requestId)!));
  const results = new Map<PlaceOrderInput, PromiseSettledResult<Order>>();
  const again: PlaceOrderInput[] = []; // short-changed by a refused batch-mate: placed anew, after it
  fresh.forEach((input, i) => {
    const outcome = outcomes[i];
    if (outcome.status === 'again') again.push(input);
    else results.set(input, outcome);
  });
  if (again.length > 0) (await placeLocked(deps, session, again)).forEach((result, i) => results.set(again[i], result));
  // retries (of earlier requests, or of one in this batch) are answered once the new orders are placed
  for (const input of inputs) {
    if (!results.has(input)) results.set(input, await settle(() => placeAgain(deps, session, input.requestId, hashes.get(input)!)));
  }
  return inputs.map((input) => results.get(input)!);
}

/** The order a request id already placed (or started placing: it is finished now). */
async function placeAgain(deps: ServiceDeps, session: LockedSession, requestId: string, hash: string): Promise<Order> {
  const order = await findOrderByRequestId(session.sql, requestId);
  if (!order) throw notFound('order', requestId); // its first request was refused
  if (order.requestHash !== hash) throw alreadyExists(requestId, `request_id ${requestId} was already used for a different order`);
  return order.placement === 'placed' ? loadOrder(session.sql, order.orderId) : finishPlacement(deps, session, order.orderId);
}

/** Writes the orders pending, each line with its reservation plan (repository: writePendingOrders); by request id. */
async function writePending(sql: Sql, now: Date, inputs: PlaceOrderInput[], hashes: string[]): Promise<Map<string, PendingOrder>> {
  const rows = await writePendingOrders(sql, now, inputs.map((input, i) => ({ ...input, requestHash: hashes[i] })));
  const byRequest = new Map(inputs.map((input) => [input.requestId, input]));
  const orders = new Map<string, PendingOrder>();
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
