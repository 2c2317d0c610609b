import type { Priority } from '../gen/restock/common/v1/priority';
import type { FulfillmentPolicy, Order } from '../gen/restock/orders/v1/order';
import { Batcher, settle } from '../platform/batcher';
import { alreadyExists } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { crashPoint } from './crash-points';
import { loadOrder } from './order-queries';
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
const BATCH_LIMITS = { maxItems: 100, maxWeight: 1000, weight: (input: PlaceOrderInput) => input.lines.length };

/**
 * PlaceOrder for one Orders instance. Orders arriving while a batch is being placed are placed together
 * in the next batch, in arrival order, so concurrent customers share its locks, round trips and commits.
 */
export function orderPlacement(deps: ServiceDeps): (input: PlaceOrderInput) => Promise<Order> {
  const batcher = new Batcher<PlaceOrderInput, Order>((inputs) => placeOrders(deps, inputs), BATCH_LIMITS);
  return (input) => batcher.submit(input);
}

/**
 * Places orders as one saga serialized per SKU: write them pending, reserve what the FIFO gate allows in
 * Inventory (request id "place:<order_id>" per order, so a retry or recovery reserves once), then
 * finalize them in one statement. Each order succeeds or fails on its own. The same request id returns
 * the same order; with another payload, ALREADY_EXISTS.
 */
export async function placeOrders(deps: ServiceDeps, inputs: PlaceOrderInput[]): Promise<PromiseSettledResult<Order>[]> {
  const skus = [...new Set(inputs.flatMap((input) => input.lines.map((l) => l.sku)))];
  return withSkuLocks(deps.orm, skus, (session) => placeLocked(deps, session, inputs));
}

async function placeLocked(deps: ServiceDeps, session: LockedSession, inputs: PlaceOrderInput[]): Promise<PromiseSettledResult<Order>[]> {
  const hashes = new Map(inputs.map((input) => [input, requestHash(input)]));
  const firsts = inputs.filter((input, i) => inputs.findIndex((other) => other.requestId === input.requestId) === i);
  const written = await writePendingOrders(session.sql, deps.clock.now(), firsts, firsts.map((input) => hashes.get(input)!));
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
  const [order] = await session.sql<{ orderId: string; requestHash: string; placement: string }>(
    `SELECT order_id AS "orderId", request_hash AS "requestHash", placement FROM orders.customer_order WHERE request_id = ?`,
    [requestId],
  );
  if (order.requestHash !== hash) throw alreadyExists(requestId, `request_id ${requestId} was already used for a different order`);
  return order.placement === 'placed' ? loadOrder(session.sql, order.orderId) : finishPlacement(deps, session, order.orderId);
}

/**
 * Writes the orders and their lines as pending in one statement (an order whose request id is taken is
 * left out), each line planning how much to reserve: all of it, or nothing while an older line of the
 * same or a higher priority waits for (or is being placed on) its SKU — the FIFO gate. Runs under the
 * SKUs' locks, so the plan cannot race another placement. Order ids follow the input order.
 */
async function writePendingOrders(sql: Sql, now: Date, inputs: PlaceOrderInput[], hashes: string[]): Promise<Map<string, PendingOrder>> {
  const lines = inputs.flatMap((input) => input.lines.map((line, i) => ({ requestId: input.requestId, ...line, n: i + 1 })));
  const rows = await sql<{ requestId: string; orderId: string; lineId: string; sku: string; quantity: number; toReserve: number }>(
    `WITH input AS (
       SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[]) WITH ORDINALITY
         AS i(request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, n)),
     o AS (
       INSERT INTO orders.customer_order (request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, create_time)
       SELECT request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, ?::timestamptz FROM input ORDER BY n
       ON CONFLICT (request_id) DO NOTHING
       RETURNING order_id, request_id, priority, create_time, customer_id),
     lines AS (
       INSERT INTO orders.order_line (line_id, order_id, line_number, sku, quantity, to_reserve, priority, queue_time, customer_id)
       SELECT o.order_id || '-' || lpad(l.n::text, 3, '0'), o.order_id, l.n, l.sku, l.quantity,
              CASE WHEN EXISTS (SELECT 1 FROM orders.order_line w WHERE w.sku = l.sku AND w.backordered > 0 AND w.priority >= o.priority)
                     OR EXISTS (SELECT 1 FROM orders.order_line w WHERE w.sku = l.sku AND w.pending AND w.priority >= o.priority)
                   THEN 0 ELSE l.quantity END,
              o.priority, o.create_time, o.customer_id
       FROM o JOIN unnest(?::text[], ?::text[], ?::int[], ?::int[]) AS l(request_id, sku, quantity, n) USING (request_id)
       RETURNING order_id, line_id, sku, quantity, to_reserve)
     SELECT o.request_id AS "requestId", lines.order_id AS "orderId", line_id AS "lineId", sku, quantity, to_reserve AS "toReserve"
     FROM lines JOIN o USING (order_id) ORDER BY line_id`,
    [
      inputs.map((i) => i.requestId),
      hashes,
      inputs.map((i) => i.customerId),
      inputs.map((i) => i.customerEmail),
      inputs.map((i) => i.priority),
      inputs.map((i) => i.fulfillmentPolicy),
      now,
      lines.map((l) => l.requestId),
      lines.map((l) => l.sku),
      lines.map((l) => l.quantity),
      lines.map((l) => l.n),
    ],
  );
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
