import type { Sql } from '../platform/orm';

/** What a customer link is checked against: the placed order's customer and its current link generation. */
export interface OrderLinkHolder {
  orderId: string;
  customerId: string;
  linkGeneration: number;
}

/** The placed order's customer and current link generation; undefined when there is no such placed order. */
export async function findOrderLinkHolder(sql: Sql, orderId: string): Promise<OrderLinkHolder | undefined> {
  const [row] = await sql<OrderLinkHolder>(
    `SELECT order_id, customer_id, link_generation FROM orders.customer_order WHERE order_id = ? AND placement = 'placed'`,
    [orderId],
  );
  return row;
}
