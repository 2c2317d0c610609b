import { EtaSource, type Order, type OrderLine } from '../gen/restock/orders/v1/order';
import { notFound } from '../platform/errors';
import { sqlOf, type Orm, type Sql } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { customerOrderPage, readPlacedOrders, type LineRow, type OrderRow } from './order.repository';
import { lineStatus, orderStatus } from './order-status';

/** The placed orders with these ids, in the order asked (missing ones are left out). */
export async function loadOrders(sql: Sql, orderIds: string[]): Promise<Order[]> {
  if (orderIds.length === 0) return [];
  const { orders, lines } = await readPlacedOrders(sql, orderIds);
  const linesOf = new Map<string, LineRow[]>();
  for (const line of lines) {
    const ofOrder = linesOf.get(line.orderId);
    if (ofOrder) ofOrder.push(line);
    else linesOf.set(line.orderId, [line]);
  }
  const byId = new Map(orders.map((row) => [row.orderId, toOrder(row, linesOf.get(row.orderId) ?? [])]));
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
  const sql = sqlOf(orm.em.fork());
  const rows = await customerOrderPage(sql, customerId, decodePageToken(pageToken, isPosition), limit + 1);
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
    createTime: row.createTime,
    cancelReason: row.cancelReason,
    shipments: [],
    readyToShipNow: false,
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
            expectedTime: line.etaExpected ?? undefined,
            latestTime: line.etaLatest ?? undefined,
            source: line.etaSource ?? EtaSource.ETA_SOURCE_UNKNOWN,
            purchaseOrderId: line.etaPurchaseOrderId ?? '',
          }
        : undefined,
    productName: line.productName,
  };
}
