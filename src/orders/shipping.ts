import { OrderEventType, type Order } from '../gen/restock/orders/v1/order';
import { alreadyExists, failedPrecondition, notFound } from '../platform/errors';
import { requestHash } from '../platform/idempotency';
import { transaction } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { inventoryRequestId, takeHeldUnits } from './reservation-holders';
import { shippedEmail } from './customer-emails';
import { loadOrder } from './order-queries';
import { assertLineTransition, assertOrderTransition, shippableUnits } from './order-status';
import { insertOrderEvents } from './order-event.repository';
import { findShipmentHash, lockOrderLines, lockPlacedOrder, recordShipment } from './order.repository';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';
import { SHIP_STOCK } from './topics';

export interface ShipmentRequest {
  orderId: string;
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
  /** When the carrier expects to deliver, when it said. */
  estimatedDeliveryTime?: Date;
}

/**
 * Ships what the order's fulfillment policy allows (SHIP_COMPLETE: only when nothing waits) in one
 * transaction: lines move from allocated to shipped, Inventory consumes the reservations through the
 * outbox, the customer gets the carrier, the tracking number and the estimated delivery date, and a SHIPPED
 * event is recorded. Idempotent by shipment id.
 */
export function shipOrder(deps: ServiceDeps, request: ShipmentRequest): Promise<Order> {
  const hash = requestHash(request);
  return transaction(deps.orm, async (sql) => {
    const order = await lockPlacedOrder(sql, request.orderId);
    if (!order) throw notFound('order', request.orderId);
    const earlier = await findShipmentHash(sql, request.shipmentId);
    if (earlier !== undefined && earlier !== hash) throw alreadyExists(request.shipmentId, `shipment ${request.shipmentId} was already used for another shipment`);
    if (earlier !== undefined) return loadOrder(sql, request.orderId);

    const lines = await lockOrderLines(sql, request.orderId);
    const units = shippableUnits(order.fulfillmentPolicy, lines);
    if (units.size === 0) {
      const waiting = lines.some((l) => l.backordered > 0);
      throw failedPrecondition(waiting ? 'ORDER_NOT_READY' : 'NOTHING_TO_SHIP', waiting ? `order ${request.orderId} still waits for stock` : `order ${request.orderId} has nothing allocated to ship`, { order_id: request.orderId });
    }
    const shipped = lines.filter((l) => units.has(l.lineId)).map((l) => ({ ...l, quantity: units.get(l.lineId)! }));
    const afterLines = lines.map((l) => (units.has(l.lineId) ? { ...l, allocated: l.allocated - units.get(l.lineId)!, shipped: l.shipped + units.get(l.lineId)! } : l));
    lines.forEach((line, i) => assertLineTransition(line.lineId, line, afterLines[i]));
    assertOrderTransition(request.orderId, lines, afterLines);

    const now = deps.clock.now();
    const estimatedDeliveryTime = request.estimatedDeliveryTime ?? null;
    await recordShipment(
      sql,
      { shipmentId: request.shipmentId, orderId: request.orderId, requestHash: hash, carrier: request.carrier, trackingNumber: request.trackingNumber, createTime: now, estimatedDeliveryTime },
      shipped,
    );
    await insertOrderEvents(sql, [{ orderId: request.orderId, type: OrderEventType.ORDER_EVENT_TYPE_SHIPPED, eventTime: now, shipmentId: request.shipmentId }]);
    const held = await takeHeldUnits(sql, shipped.map((l) => ({ lineId: l.lineId, quantity: l.quantity })));
    const after = await loadOrder(sql, request.orderId);
    await enqueue(sql, 'orders', [
      message(SHIP_STOCK, `ship-stock:${request.shipmentId}`, { requestId: inventoryRequestId(`ship:${request.shipmentId}`), lines: held }),
      message(
        EMAIL,
        `shipped:${request.shipmentId}`,
        shippedEmail(after, {
          carrier: request.carrier,
          trackingNumber: request.trackingNumber,
          estimatedDeliveryTime: request.estimatedDeliveryTime,
          lines: shipped.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        }),
      ),
    ]);
    return after;
  });
}
