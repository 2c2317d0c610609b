import type { Priority } from '../gen/restock/common/v1/priority';
import type { FulfillmentPolicy, Order } from '../gen/restock/orders/v1/order';
import { alreadyExists } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { crashPoint } from './crash-points';
import { loadOrder } from './order-queries';
import { finishPlacement, type PendingOrder } from './placement-completion';
import { withSkuLocks } from './sku-locks';

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
 * Places an order as a saga serialized per SKU: write it pending, reserve what the FIFO gate allows in
 * Inventory (request id "place:<order_id>", so a retry or recovery reserves once), then finalize it in
 * one statement. The same request id returns the same order; with another payload, ALREADY_EXISTS.
 */
export async function placeOrder(deps: ServiceDeps, input: PlaceOrderInput): Promise<Order> {
  const hash = requestHash(input);
  const skus = [...new Set(input.lines.map((l) => l.sku))];
  return withSkuLocks(deps.orm, skus, async (session) => {
    const pending = await writePendingOrder(session.sql, deps.clock.now(), input, hash);
    if (!pending) {
      const earlier = await findByRequestId(session.sql, input.requestId, hash);
      return earlier.placement === 'placed' ? loadOrder(session.sql, earlier.orderId) : finishPlacement(deps, session, earlier.orderId);
    }
    crashPoint('placement.pending-written');
    return finishPlacement(deps, session, pending.orderId, pending);
  });
}

async function findByRequestId(sql: Sql, requestId: string, hash: string) {
  const [order] = await sql<{ orderId: string; requestHash: string; placement: string }>(
    `SELECT order_id AS "orderId", request_hash AS "requestHash", placement FROM orders.customer_order WHERE request_id = ?`,
    [requestId],
  );
  if (order.requestHash !== hash) throw alreadyExists(requestId, `request_id ${requestId} was already used for a different order`);
  return order;
}

/**
 * Writes the order and its lines as pending in one statement (null when the request id is taken), each
 * line planning how much to reserve: all of it, or nothing while an older line of the same or a higher
 * priority waits for (or is being placed on) its SKU — the FIFO gate. Runs under the SKUs' locks, so the
 * plan cannot race another placement.
 */
async function writePendingOrder(sql: Sql, now: Date, input: PlaceOrderInput, hash: string): Promise<PendingOrder | null> {
  const lines = await sql<{ orderId: string; lineId: string; sku: string; quantity: number; toReserve: number }>(
    `WITH o AS (
       INSERT INTO orders.customer_order (request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, create_time)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING
       RETURNING order_id, priority, create_time, customer_id)
     INSERT INTO orders.order_line (line_id, order_id, line_number, sku, quantity, to_reserve, priority, queue_time, customer_id)
     SELECT o.order_id || '-' || lpad(l.n::text, 3, '0'), o.order_id, l.n, l.sku, l.quantity,
            CASE WHEN EXISTS (SELECT 1 FROM orders.order_line w WHERE w.sku = l.sku AND w.backordered > 0 AND w.priority >= o.priority)
                   OR EXISTS (SELECT 1 FROM orders.order_line w WHERE w.sku = l.sku AND w.pending AND w.priority >= o.priority)
                 THEN 0 ELSE l.quantity END,
            o.priority, o.create_time, o.customer_id
     FROM o, unnest(?::text[], ?::int[]) WITH ORDINALITY AS l(sku, quantity, n)
     RETURNING order_id AS "orderId", line_id AS "lineId", sku, quantity, to_reserve AS "toReserve", line_number`,
    [input.requestId, hash, input.customerId, input.customerEmail, input.priority, input.fulfillmentPolicy, now, input.lines.map((l) => l.sku), input.lines.map((l) => l.quantity)],
  );
  if (lines.length === 0) return null;
  return {
    orderId: lines[0].orderId,
    placement: 'pending',
    customerId: input.customerId,
    customerEmail: input.customerEmail,
    priority: input.priority,
    fulfillmentPolicy: input.fulfillmentPolicy,
    createTime: now,
    lines: lines.map(({ lineId, sku, quantity, toReserve }) => ({ lineId, sku, quantity, toReserve })).sort((a, b) => (a.lineId < b.lineId ? -1 : 1)),
  };
}
