import { groupBy } from '../platform/collections';
import { EtaSource, type Order, type OrderLine, type OrderStatus, type Shipment } from '../gen/restock/orders/v1/order';
import { notFound } from '../platform/errors';
import { sqlOf, type Orm, type Sql } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { readPlacedOrders, type LineRow, type OrderRow } from './order.repository';
import { placedOrderPage, shipmentsOfOrders, type OrderPosition, type ShipmentLineRow, type ShipmentRow } from './order-page.repository';
import { lineStatus, orderStatus, shippableUnits } from './order-status';

/** The placed orders with these ids, in the order asked (missing ones are left out). */
export async function loadOrders(sql: Sql, orderIds: string[]): Promise<Order[]> {
  if (orderIds.length === 0) return [];
  const { orders, lines } = await readPlacedOrders(sql, orderIds);
  const linesOf = groupBy(lines, (line) => line.orderId);
  const shipped = await shipmentsOfOrders(sql, orders.map((o) => o.orderId));
  const shipmentLinesOf = groupBy(shipped.lines, (line) => line.shipmentId);
  const shipmentsOf = groupBy(
    shipped.shipments.map((s) => ({ ...s, lines: shipmentLinesOf.get(s.shipmentId) ?? [] })),
    (s) => s.orderId,
  );
  const byId = new Map(orders.map((row) => [row.orderId, toOrder(row, linesOf.get(row.orderId) ?? [], (shipmentsOf.get(row.orderId) ?? []).map(toShipment))]));
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

const isPosition = (p: unknown): p is OrderPosition =>
  Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string') && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/.test(p[0]);

/** Which orders ListOrders lists: of a customer ('' = everyone's), in some statuses (none = any), only those that can ship now. */
export interface OrderListing {
  customerId: string;
  statuses: OrderStatus[];
  readyToShipNow: boolean;
}

/** Placed orders newest first, one page at a time (keyset: the page token is the last order's time and id). */
export async function listOrders(orm: Orm, listing: OrderListing, limit: number, pageToken: string): Promise<{ orders: Order[]; nextPageToken: string }> {
  const sql = sqlOf(orm.em.fork());
  const filter = { customerId: listing.customerId || null, statuses: listing.statuses.length > 0 ? [...new Set(listing.statuses)] : null, readyToShipNow: listing.readyToShipNow };
  const rows = await placedOrderPage(sql, filter, decodePageToken(pageToken, isPosition), limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    orders: await loadOrders(sql, page.map((r) => r.orderId)),
    nextPageToken: rows.length > limit ? encodePageToken([last.createTime, last.orderId]) : '',
  };
}

function toOrder(row: OrderRow, lines: LineRow[], shipments: Shipment[]): Order {
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
    shipments,
    readyToShipNow: shippableUnits(row.fulfillmentPolicy, lines).size > 0,
  };
}

function toShipment(s: ShipmentRow & { lines: ShipmentLineRow[] }): Shipment {
  return {
    shipmentId: s.shipmentId,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    lines: s.lines.map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity })),
    shipTime: s.createTime,
    estimatedDeliveryTime: s.estimatedDeliveryTime ?? undefined,
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
