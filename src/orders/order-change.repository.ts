import type { Priority } from '../gen/restock/common/v1/priority';
import type { FulfillmentPolicy } from '../gen/restock/orders/v1/order';
import type { Sql } from '../platform/orm';

// Changes to placed orders (UpdateOrder) and their audit trail.

/** What UpdateOrder may change of an order. */
export interface OrderSettings {
  priority: Priority;
  fulfillmentPolicy: FulfillmentPolicy;
}

/** A placed order's settings, its row locked for the caller's transaction; undefined when not placed. */
export async function lockOrderSettings(sql: Sql, orderId: string): Promise<OrderSettings | undefined> {
  const [order] = await sql<OrderSettings>(
    `SELECT priority, fulfillment_policy FROM orders.customer_order WHERE order_id = ? AND placement = 'placed' FOR UPDATE`,
    [orderId],
  );
  return order;
}

/**
 * Sets an order's settings; its lines take the priority too, which moves its waiting lines to their new place
 * in their SKUs' queues (by priority, then placement time: the backorder_queue index).
 */
export async function updateOrderSettings(sql: Sql, orderId: string, settings: OrderSettings): Promise<void> {
  await sql(`UPDATE orders.customer_order SET priority = ?, fulfillment_policy = ? WHERE order_id = ?`, [settings.priority, settings.fulfillmentPolicy, orderId]);
  await sql(`UPDATE orders.order_line SET priority = ? WHERE order_id = ? AND priority <> ?`, [settings.priority, orderId, settings.priority]);
}

/** Keeps a change in the order's audit trail: who, when, why, the settings before and after. */
export async function insertOrderChange(
  sql: Sql,
  change: { orderId: string; changedBy: string; reason: string; before: OrderSettings; after: OrderSettings; createTime: Date },
): Promise<void> {
  await sql(`INSERT INTO orders.order_change (order_id, changed_by, reason, before, after, create_time) VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?)`, [
    change.orderId,
    change.changedBy,
    change.reason,
    JSON.stringify(change.before),
    JSON.stringify(change.after),
    change.createTime,
  ]);
}

/** An order's changes, oldest first. */
export function orderChanges(sql: Sql, orderId: string): Promise<{ changedBy: string; reason: string; before: OrderSettings; after: OrderSettings; createTime: Date }[]> {
  return sql(`SELECT changed_by, reason, before, after, create_time FROM orders.order_change WHERE order_id = ? ORDER BY change_id`, [orderId]);
}
