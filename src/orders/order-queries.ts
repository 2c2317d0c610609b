import type { Priority } from '../gen/restock/common/v1/priority';
import { EtaSource, type FulfillmentPolicy, type Order, type OrderLine } from '../gen/restock/orders/v1/order';
import { notFound } from '../platform/errors';
import { sqlOf, type Orm, type Sql } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { lineStatus, orderStatus } from './order-status';

const ORDER_COLUMNS = `order_id AS "orderId", customer_id AS "customerId", customer_email AS "customerEmail", priority,
  fulfillment_policy AS "fulfillmentPolicy", cancel_reason AS "cancelReason", create_time AS "createTime"`;

const LINE_COLUMNS = `line_id AS "lineId", order_id AS "orderId", sku, quantity, allocated, backordered, shipped, cancelled,
  eta_expected AS "etaExpected", eta_latest AS "etaLatest", eta_source AS "etaSource", eta_purchase_order_id AS "etaPurchaseOrderId"`;

interface OrderRow {
  orderId: string;
  customerId: string;
  customerEmail: string;
  priority: Priority;
  fulfillmentPolicy: FulfillmentPolicy;
  cancelReason: string;
  createTime: string;
}

interface LineRow {
  lineId: string;
  orderId: string;
  sku: string;
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  etaExpected: string | null;
  etaLatest: string | null;
  etaSource: EtaSource | null;
  etaPurchaseOrderId: string | null;
}

/** The placed orders with these ids, in the order asked (missing ones are left out). */
export async function loadOrders(sql: Sql, orderIds: string[]): Promise<Order[]> {
  if (orderIds.length === 0) return [];
  const orders = await sql<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders.customer_order WHERE order_id = ANY(?) AND placement = 'placed'`, [orderIds]);
  const lines = await sql<LineRow>(`SELECT ${LINE_COLUMNS} FROM orders.order_line WHERE order_id = ANY(?) ORDER BY order_id, line_number`, [orderIds]);
  const byId = new Map(orders.map((row) => [row.orderId, toOrder(row, lines.filter((l) => l.orderId === row.orderId))]));
  return orderIds.flatMap((id) => byId.get(id) ?? []);
}

/** One placed order; NOT_FOUND otherwise. */
export async function loadOrder(sql: Sql, orderId: string): Promise<Order> {
  const [order] = await loadOrders(sql, [orderId]);
  if (!order) throw notFound('order', orderId);
  return order;
}

/** GetOrder. */
export function getOrder(orm: Orm, orderId: string): Promise<Order> {
  return loadOrder(sqlOf(orm.em.fork()), orderId);
}

type PagePosition = [string, string];
const isPosition = (p: unknown): p is PagePosition => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string');

/** A customer's orders, newest first, one page at a time. */
export async function listOrders(orm: Orm, customerId: string, limit: number, pageToken: string): Promise<{ orders: Order[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, isPosition);
  const sql = sqlOf(orm.em.fork());
  const rows = await sql<{ orderId: string; createTime: string }>(
    `SELECT order_id AS "orderId", to_char(create_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "createTime"
     FROM orders.customer_order
     WHERE customer_id = ? AND placement = 'placed' AND (?::timestamp IS NULL OR (create_time AT TIME ZONE 'UTC', order_id) < (?::timestamp, ?))
     ORDER BY create_time DESC, order_id DESC LIMIT ?`,
    [customerId, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? '', limit + 1],
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    orders: await loadOrders(sql, page.map((r) => r.orderId)),
    nextPageToken: rows.length > limit ? encodePageToken([last.createTime, last.orderId]) : '',
  };
}

function toOrder(row: OrderRow, lines: LineRow[]): Order {
  return {
    orderId: row.orderId,
    customerId: row.customerId,
    customerEmail: row.customerEmail,
    priority: row.priority,
    fulfillmentPolicy: row.fulfillmentPolicy,
    status: orderStatus(lines),
    lines: lines.map(toLine),
    createTime: new Date(row.createTime),
    cancelReason: row.cancelReason,
  };
}

function toLine(line: LineRow): OrderLine {
  return {
    lineId: line.lineId,
    sku: line.sku,
    quantity: line.quantity,
    allocatedQuantity: line.allocated,
    backorderedQuantity: line.backordered,
    shippedQuantity: line.shipped,
    cancelledQuantity: line.cancelled,
    status: lineStatus(line),
    eta:
      line.backordered > 0
        ? {
            expectedTime: line.etaExpected ? new Date(line.etaExpected) : undefined,
            latestTime: line.etaLatest ? new Date(line.etaLatest) : undefined,
            source: line.etaSource ?? EtaSource.ETA_SOURCE_UNKNOWN,
            purchaseOrderId: line.etaPurchaseOrderId ?? '',
          }
        : undefined,
  };
}
