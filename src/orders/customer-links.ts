import type { Order } from '../gen/restock/orders/v1/order';
import { notFound } from '../platform/errors';
import { sqlOf, type Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import type { LinkHolder, LinkKind, SignedLinks } from '../platform/signed-links';
import { cancelWaitingUnits } from './cancellation';
import { findOrderLinkHolder } from './customer-link.repository';
import { loadOrder } from './order-queries';

/** Where the console serves a customer's order page; the link's token follows. */
export const ORDER_PAGE_PATH = '/orders';

/** How links to a customer's order page are made: the signer, and how long a link works. */
export interface CustomerLinks {
  links: SignedLinks;
  ttlDays: number;
}

/** A customer link that opened its order. */
export interface OpenedCustomerLink {
  orderId: string;
  generation: number;
  expireTime: Date;
}

/** Customer links open one order, for its customer; a link signed for another purpose never opens an order. */
function kind(links: CustomerLinks): LinkKind {
  return { purpose: 'customer-order', path: ORDER_PAGE_PATH, ttlDays: links.ttlDays };
}

async function holder(sql: Sql, orderId: string): Promise<LinkHolder | undefined> {
  const row = await findOrderLinkHolder(sql, orderId);
  return row && { resourceId: row.orderId, party: row.customerId, generation: row.linkGeneration };
}

/** A link to the order's page in its current generation, working for ttlDays from now. */
export async function customerLink(sql: Sql, links: CustomerLinks, orderId: string, now: Date): Promise<string> {
  const current = await holder(sql, orderId);
  if (!current) throw notFound('order', orderId);
  return links.links.urlFor(kind(links), current, now);
}

/** The order a customer's link token opens at `now`; refusals as SignedLinks.open (LINK_INVALID, LINK_EXPIRED, LINK_REVOKED). */
export async function openCustomerLink(sql: Sql, links: CustomerLinks, token: string, now: Date): Promise<OpenedCustomerLink> {
  const opened = await links.links.open(kind(links), token, (id) => holder(sql, id), now);
  return { orderId: opened.holder.resourceId, generation: opened.generation, expireTime: opened.expireTime };
}

/** The customer links of a process's Orders. */
export function customerLinksOf(deps: Pick<ServiceDeps, 'links' | 'config'>): CustomerLinks {
  return { links: deps.links, ttlDays: deps.config.CUSTOMER_LINK_TTL_DAYS };
}

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
