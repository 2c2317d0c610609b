import { OrderEventType, OrderStatus, type Order } from '../gen/restock/orders/v1/order';
import { failedPrecondition, notFound } from '../platform/errors';
import { once } from '../platform/idempotency';
import { transaction, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { message } from '../platform/topics';
import { insertOrderChange, lockOrderSettings, updateOrderSettings, type OrderSettings } from './order-change.repository';
import { insertOrderEvents } from './order-event.repository';
import { loadOrder } from './order-queries';
import { placedOrderSkus } from './order.repository';
import { lockSkusInTransaction } from './sku-lock.repository';
import { ALLOCATE_STOCK } from './topics';

/** What UpdateOrder asks for (validated): the settings the mask names, why, and its idempotency key. */
export interface OrderUpdate {
  orderId: string;
  settings: Partial<OrderSettings>;
  reason: string;
  requestId: string;
}

/**
 * Changes an order's priority and/or fulfillment policy in one transaction under its SKUs' locks (no allocation
 * plans meanwhile): its waiting lines take their new place in the queues, the change is audited (who from the
 * token, when, why, before and after), READY_TO_SHIP is recorded when units can now ship, and each SKU it waits
 * for gets its free stock (if any) allocated by the usual FIFO rule through the outbox. A cancelled or fully
 * shipped order is FAILED_PRECONDITION. Once per request id: a retry returns the order as it is now.
 */
export function updateOrder(deps: ServiceDeps, update: OrderUpdate, changedBy: string): Promise<Order> {
  return transaction(deps.orm, async (sql) => {
    await once(sql, 'orders', 'UpdateOrder', update.requestId, update, () => apply(deps, sql, update, changedBy));
    return loadOrder(sql, update.orderId);
  });
}

async function apply(deps: ServiceDeps, sql: Sql, update: OrderUpdate, changedBy: string): Promise<void> {
  const skus = await placedOrderSkus(sql, update.orderId);
  if (skus.length === 0) throw notFound('order', update.orderId);
  await lockSkusInTransaction(sql, skus);
  const before = await lockOrderSettings(sql, update.orderId);
  if (!before) throw notFound('order', update.orderId);
  const order = await loadOrder(sql, update.orderId);
  if (order.status === OrderStatus.ORDER_STATUS_CANCELLED) throw failedPrecondition('ORDER_CANCELLED', `order ${update.orderId} is cancelled; it cannot change`, { order_id: update.orderId });
  if (order.status === OrderStatus.ORDER_STATUS_SHIPPED) throw failedPrecondition('ORDER_SHIPPED', `order ${update.orderId} has shipped; it cannot change`, { order_id: update.orderId });
  const after: OrderSettings = { priority: update.settings.priority ?? before.priority, fulfillmentPolicy: update.settings.fulfillmentPolicy ?? before.fulfillmentPolicy };
  const now = deps.clock.now();
  await updateOrderSettings(sql, update.orderId, after);
  await insertOrderChange(sql, { orderId: update.orderId, changedBy, reason: update.reason, before, after, createTime: now });
  const changed = await loadOrder(sql, update.orderId);
  if (changed.readyToShipNow && !order.readyToShipNow) {
    await insertOrderEvents(sql, [{ orderId: update.orderId, type: OrderEventType.ORDER_EVENT_TYPE_READY_TO_SHIP, eventTime: now }]);
  }
  const waiting = [...new Set(changed.lines.filter((l) => l.backorderedQuantity > 0).map((l) => l.sku))].sort();
  if (after.priority !== before.priority) {
    await enqueue(sql, 'orders', waiting.map((sku) => message(ALLOCATE_STOCK, `allocate-stock:update:${update.requestId}:${sku}`, { sku })));
  }
}
