import type { Sql } from '../platform/orm';

// Pages of placed orders (ListOrders) and the shipments of orders (GetOrder). An order's status is not stored:
// it follows from its lines, in SQL as in order-status.ts (orderStatus, shippableUnits).

/** Which orders a page holds: of a customer (null = all), in some statuses (null = any), only those that can ship now. */
export interface OrderFilter {
  customerId: string | null;
  statuses: number[] | null;
  readyToShipNow: boolean;
}

/** Where a page ends: the last order's create time (UTC text, microseconds) and id. */
export type OrderPosition = [createTime: string, orderId: string];

/** An order of a page, with its create time as the text a page token carries. */
export interface PagedOrder {
  orderId: string;
  createTime: string;
}

// orderStatus() of order-status.ts over the lines l: CANCELLED 5, SHIPPED 4, PARTIALLY_SHIPPED 3, AWAITING_STOCK 1, READY_TO_SHIP 2.
const STATUS = `CASE WHEN bool_and(l.cancelled = l.quantity) THEN 5 WHEN sum(l.allocated + l.backordered) = 0 THEN 4
  WHEN bool_or(l.shipped > 0) THEN 3 WHEN bool_or(l.backordered > 0) THEN 1 ELSE 2 END`;
// shippableUnits() is not empty: allocated units, and SHIP_AVAILABLE_NOW (1) or nothing waiting.
const READY = `coalesce(bool_or(l.allocated > 0) AND (o.fulfillment_policy = 1 OR NOT bool_or(l.backordered > 0)), false)`;
const CREATE_TIME_TEXT = `to_char(o.create_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

/**
 * Up to limit placed orders newest first (create time, then id, descending) after a position, passing the
 * filter. Each order's status is computed from its lines as the scan goes, so the scan stops at the page's
 * end: by customer_order_by_customer for a customer, by customer_order_placed_by_time for everyone.
 */
export function placedOrderPage(sql: Sql, filter: OrderFilter, after: OrderPosition | undefined, limit: number): Promise<PagedOrder[]> {
  if (filter.readyToShipNow) return readyOrderPage(sql, filter, after, limit);
  return sql<PagedOrder>(
    `SELECT o.order_id, ${CREATE_TIME_TEXT} AS create_time
     FROM orders.customer_order o
     CROSS JOIN LATERAL (SELECT ${STATUS} AS status FROM orders.order_line l WHERE l.order_id = o.order_id) s
     WHERE o.placement = 'placed' AND (?::text IS NULL OR o.customer_id = ?::text)
       AND (?::timestamp IS NULL OR (o.create_time, o.order_id) < (?::timestamp AT TIME ZONE 'UTC', ?::text))
       AND (?::int[] IS NULL OR s.status = ANY(?::int[]))
     ORDER BY o.create_time DESC, o.order_id DESC LIMIT ?`,
    [filter.customerId, filter.customerId, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? '', filter.statuses, filter.statuses, limit],
  );
}

/**
 * The orders with units to ship now, driven by order_line_allocated_by_time (lines holding allocated units,
 * by their order's time: queue_time is the order's create time): each order is met at its first allocated
 * line, so the scan needs no de-duplication and stops at the page's end.
 */
function readyOrderPage(sql: Sql, filter: OrderFilter, after: OrderPosition | undefined, limit: number): Promise<PagedOrder[]> {
  return sql<PagedOrder>(
    `SELECT o.order_id, ${CREATE_TIME_TEXT} AS create_time
     FROM orders.order_line a
     JOIN orders.customer_order o ON o.order_id = a.order_id
     CROSS JOIN LATERAL (
       SELECT ${STATUS} AS status, ${READY} AS ready, bool_or(l.allocated > 0 AND l.line_number < a.line_number) AS earlier
       FROM orders.order_line l WHERE l.order_id = a.order_id) s
     WHERE a.allocated > 0 AND o.placement = 'placed' AND s.ready AND NOT s.earlier
       AND (?::text IS NULL OR o.customer_id = ?::text)
       AND (?::timestamp IS NULL OR (a.queue_time, a.order_id) < (?::timestamp AT TIME ZONE 'UTC', ?::text))
       AND (?::int[] IS NULL OR s.status = ANY(?::int[]))
     ORDER BY a.queue_time DESC, a.order_id DESC LIMIT ?`,
    [filter.customerId, filter.customerId, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? '', filter.statuses, filter.statuses, limit],
  );
}

/** A shipment of an order. */
export interface ShipmentRow {
  shipmentId: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  createTime: Date;
  estimatedDeliveryTime: Date | null;
}

/** Units of one line in a shipment. */
export interface ShipmentLineRow {
  shipmentId: string;
  lineId: string;
  sku: string;
  quantity: number;
}

/** The shipments of some orders, oldest first, and their lines in line order. */
export async function shipmentsOfOrders(sql: Sql, orderIds: string[]): Promise<{ shipments: ShipmentRow[]; lines: ShipmentLineRow[] }> {
  const shipments = await sql<ShipmentRow>(
    `SELECT shipment_id, order_id, carrier, tracking_number, create_time, estimated_delivery_time
     FROM orders.shipment WHERE order_id = ANY(?) ORDER BY order_id, create_time, shipment_id`,
    [orderIds],
  );
  if (shipments.length === 0) return { shipments, lines: [] };
  const lines = await sql<ShipmentLineRow>(
    `SELECT s.shipment_id, s.line_id, l.sku, s.quantity FROM orders.shipment_line s JOIN orders.order_line l USING (line_id)
     WHERE s.shipment_id = ANY(?) ORDER BY s.shipment_id, l.line_number`,
    [shipments.map((s) => s.shipmentId)],
  );
  return { shipments, lines };
}
