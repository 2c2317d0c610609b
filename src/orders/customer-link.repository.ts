import type { Sql } from '../platform/orm';

/** What a customer link is checked against: the placed order's customer. */
export interface OrderLinkHolder {
  orderId: string;
  customerId: string;
}

/** The placed order's customer; undefined when there is no such placed order. */
export async function findOrderLinkHolder(sql: Sql, orderId: string): Promise<OrderLinkHolder | undefined> {
  const [row] = await sql<OrderLinkHolder>(`SELECT order_id, customer_id FROM orders.customer_order WHERE order_id = ? AND placement = 'placed'`, [orderId]);
  return row;
}
