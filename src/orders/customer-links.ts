import type { Order } from '../gen/restock/orders/v1/order';
import type { Sql } from '../platform/orm';
import type { Email } from '../platform/mail';
import type { ServiceDeps } from '../platform/service-module';
import type { LinkHolder, LinkKind, SignedLinks } from '../platform/signed-links';
import { findOrderLinkHolder } from './customer-link.repository';
import { withOrderPageLink } from './customer-emails';

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

/**
 * An order's links, for its customer. Every link of an order is of generation 1: nothing revokes a
 * customer's links (they expire), so a link is made from the order alone, without a read.
 */
function holderOf(order: { orderId: string; customerId: string }): LinkHolder {
  return { resourceId: order.orderId, party: order.customerId, generation: 1 };
}

async function holder(sql: Sql, orderId: string): Promise<LinkHolder | undefined> {
  const row = await findOrderLinkHolder(sql, orderId);
  return row && holderOf(row);
}

/** A link to the order's page, working for ttlDays from now. */
export function customerLink(links: CustomerLinks, order: { orderId: string; customerId: string }, now: Date): string {
  return links.links.urlFor(kind(links), holderOf(order), now);
}

/** The customer's email with the link to the order's page (its lines, ETAs and shipments; cancel what waits). */
export function withOrderLink(deps: Pick<ServiceDeps, 'links' | 'config' | 'clock'>, order: Order, email: Email): Email {
  return withOrderPageLink(email, customerLink(customerLinksOf(deps), order, deps.clock.now()), order.lines.some((l) => l.backorderedQuantity > 0));
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
