import type { Order } from '../gen/restock/orders/v1/order';
import { sqlOf } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { cancelWaitingUnits } from './cancellation';
import { customerLinksOf, openCustomerLink } from './customer-links';
import { loadOrder } from './order-queries';

// What the customer's order page does through its link: show the order, cancel what still waits.

/** The order a customer's link opens, as its page shows it, with the link's expiry. */
export async function orderOfLink(deps: ServiceDeps, token: string): Promise<{ order: Order; linkExpireTime: Date }> {
  const sql = sqlOf(deps.orm.em.fork());
  const opened = await openCustomerLink(sql, customerLinksOf(deps), token, deps.clock.now());
  return { order: await loadOrder(sql, opened.orderId), linkExpireTime: opened.expireTime };
}

/** Cancels, through a customer's link, the waiting units of the named lines (none named: all); kept as the link's doing. */
export async function cancelWaitingThroughLink(deps: ServiceDeps, token: string, lineIds: string[], requestId: string): Promise<Order> {
  const opened = await openCustomerLink(sqlOf(deps.orm.em.fork()), customerLinksOf(deps), token, deps.clock.now());
  const reason = 'cancelled by the customer on the order page';
  return cancelWaitingUnits(deps, { orderId: opened.orderId, lineIds, requestId, reason }, `customer-link:${opened.orderId}#${opened.generation}`);
}
