import type { FulfillmentPolicy, Order } from '../gen/restock/orders/v1/order';
import { alreadyExists, failedPrecondition, notFound } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import { transaction } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { inventoryRequestId, takeHeldUnits } from './reservation-holders';
import { shippedEmail } from './customer-emails';
import { loadOrder } from './order-queries';
import { assertLineTransition, shippableUnits, type LineUnits } from './order-status';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';
import { SHIP_STOCK } from './topics';

export interface ShipmentRequest {
  orderId: string;
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
}

/**
 * Ships what the order's fulfillment policy allows (SHIP_COMPLETE: only when nothing waits) in one
 * transaction: lines move from allocated to shipped, Inventory consumes the reservations through the
 * outbox, and the customer gets the tracking number. Idempotent by shipment id.
 */
export function shipOrder(deps: ServiceDeps, request: ShipmentRequest): Promise<Order> {
  const hash = requestHash(request);
  return transaction(deps.orm, async (sql) => {
    const [order] = await sql<{ fulfillmentPolicy: FulfillmentPolicy }>(
      `SELECT fulfillment_policy AS "fulfillmentPolicy" FROM orders.customer_order WHERE order_id = ? AND placement = 'placed' FOR UPDATE`,
      [request.orderId],
    );
    if (!order) throw notFound('order', request.orderId);
    const [earlier] = await sql<{ requestHash: string }>(`SELECT request_hash AS "requestHash" FROM orders.shipment WHERE shipment_id = ?`, [request.shipmentId]);
    if (earlier && earlier.requestHash !== hash) throw alreadyExists(request.shipmentId, `shipment ${request.shipmentId} was already used for another shipment`);
    if (earlier) return loadOrder(sql, request.orderId);

    const lines = await sql<LineUnits & { lineId: string; sku: string }>(
      `SELECT line_id AS "lineId", sku, quantity, allocated, backordered, shipped, cancelled FROM orders.order_line WHERE order_id = ? ORDER BY line_number FOR UPDATE`,
      [request.orderId],
    );
    const units = shippableUnits(order.fulfillmentPolicy, lines);
    if (units.size === 0) {
      const waiting = lines.some((l) => l.backordered > 0);
      throw failedPrecondition(waiting ? 'ORDER_NOT_READY' : 'NOTHING_TO_SHIP', waiting ? `order ${request.orderId} still waits for stock` : `order ${request.orderId} has nothing allocated to ship`, { order_id: request.orderId });
    }
    const shipped = lines.filter((l) => units.has(l.lineId)).map((l) => ({ ...l, quantity: units.get(l.lineId)! }));
    for (const line of shipped) assertLineTransition(line.lineId, line, { ...line, quantity: lines.find((l) => l.lineId === line.lineId)!.quantity, allocated: line.allocated - line.quantity, shipped: line.shipped + line.quantity });

    await sql(`INSERT INTO orders.shipment (shipment_id, order_id, request_hash, carrier, tracking_number, create_time) VALUES (?, ?, ?, ?, ?, ?)`, [
      request.shipmentId,
      request.orderId,
      hash,
      request.carrier,
      request.trackingNumber,
      deps.clock.now(),
    ]);
    await sql(
      `INSERT INTO orders.shipment_line (shipment_id, line_id, quantity) SELECT ?, * FROM unnest(?::text[], ?::int[])`,
      [request.shipmentId, shipped.map((l) => l.lineId), shipped.map((l) => l.quantity)],
    );
    await sql(
      `UPDATE orders.order_line l SET allocated = l.allocated - s.quantity, shipped = l.shipped + s.quantity
       FROM unnest(?::text[], ?::int[]) AS s(line_id, quantity) WHERE l.line_id = s.line_id`,
      [shipped.map((l) => l.lineId), shipped.map((l) => l.quantity)],
    );
    const held = await takeHeldUnits(sql, shipped.map((l) => ({ lineId: l.lineId, quantity: l.quantity })));
    const after = await loadOrder(sql, request.orderId);
    await enqueue(sql, 'orders', [
      message(SHIP_STOCK, `ship-stock:${request.shipmentId}`, { requestId: inventoryRequestId(`ship:${request.shipmentId}`), lines: held }),
      message(
        EMAIL,
        `shipped:${request.shipmentId}`,
        shippedEmail(after, { carrier: request.carrier, trackingNumber: request.trackingNumber, lines: shipped.map((l) => ({ sku: l.sku, quantity: l.quantity })) }),
      ),
    ]);
    return after;
  });
}
