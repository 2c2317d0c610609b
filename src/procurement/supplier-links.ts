import type { Clock } from '../platform/clock';
import { failedPrecondition, notFound } from '../platform/errors';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import { SignedLinks } from '../platform/signed-links';
import { addDays } from './lead-times';
import { answerPurchaseOrder, type Answer, type Answered } from './purchase-order-lifecycle';
import { findPurchaseOrder, type PurchaseOrder } from './purchase-orders';
import { findSupplier } from './supplier.repository';
import type { Supplier } from './suppliers';
import { advanceLinkGeneration, findLinkHolder, type LinkHolder } from './supplier-link.repository';

/** What a supplier's PO link is for; a link signed for another purpose never opens a PO. */
const PURPOSE = 'supplier-purchase-order';
/** Where the console serves the supplier's page of a PO; the link's token follows. */
export const SUPPLIER_PAGE_PATH = '/supplier/purchase-orders';

/** How links to a supplier's PO page are made: the signer, and how long a link works. */
export interface SupplierLinks {
  links: SignedLinks;
  ttlDays: number;
}

/** A supplier link that opened its PO: which PO, and which issue of its link (for the revision's author). */
export interface OpenedLink {
  purchaseOrderId: string;
  supplierId: string;
  generation: number;
  expireTime: Date;
}

function urlOf(links: SupplierLinks, holder: LinkHolder, now: Date): string {
  const grant = { purpose: PURPOSE, resourceId: holder.purchaseOrderId, party: holder.supplierId, generation: holder.linkGeneration };
  return links.links.url(SUPPLIER_PAGE_PATH, { ...grant, expireTime: addDays(now, links.ttlDays) });
}

/** A link to the PO's supplier page in its current generation, working for ttlDays from now. */
export async function supplierLink(sql: Sql, links: SupplierLinks, purchaseOrderId: string, now: Date): Promise<string> {
  const holder = await findLinkHolder(sql, purchaseOrderId);
  if (!holder) throw notFound('purchase_order', purchaseOrderId);
  return urlOf(links, holder, now);
}

/** A new link to the PO's supplier page; every link issued before it stops working. */
export async function issueSupplierLink(sql: Sql, links: SupplierLinks, purchaseOrderId: string, now: Date): Promise<string> {
  const holder = await advanceLinkGeneration(sql, purchaseOrderId);
  if (!holder) throw notFound('purchase_order', purchaseOrderId);
  return urlOf(links, holder, now);
}

/**
 * The PO a supplier's link token opens at `now`; FAILED_PRECONDITION LINK_INVALID for a token that is not
 * one we signed for this PO and its supplier (tampered, or for another PO), LINK_EXPIRED, or LINK_REVOKED
 * when a newer link was issued. The refusal says nothing about the PO.
 */
export async function openSupplierLink(sql: Sql, links: SupplierLinks, token: string, now: Date): Promise<OpenedLink> {
  const link = SignedLinks.read(token);
  const holder = link && (await findLinkHolder(sql, link.resourceId));
  const refusal = !link || !holder ? 'LINK_INVALID' : links.links.refusal(link, PURPOSE, holder.supplierId, holder.linkGeneration, now);
  if (refusal) throw failedPrecondition(refusal, REFUSALS[refusal]);
  return { purchaseOrderId: holder!.purchaseOrderId, supplierId: holder!.supplierId, generation: link!.generation, expireTime: link!.expireTime };
}

/** What a supplier's page shows: the PO its link opens, the supplier, and until when the link works. */
export interface SupplierPage {
  order: PurchaseOrder;
  supplier: Supplier;
  linkExpireTime: Date;
}

/** The PO a supplier's link opens (OpenSupplierLink), checked as openSupplierLink does. */
export async function openSupplierPage(orm: Orm, clock: Clock, links: SupplierLinks, token: string): Promise<SupplierPage> {
  const em = orm.em.fork();
  const sql = sqlOf(em);
  const opened = await openSupplierLink(sql, links, token, clock.now());
  const order = await findPurchaseOrder(sql, opened.purchaseOrderId);
  return { order, supplier: await findSupplier(em, order.supplierId), linkExpireTime: opened.expireTime };
}

/**
 * Records the answer a supplier gave on its page (AnswerPurchaseOrder) as ConfirmPurchaseOrder does, its
 * author the link ("supplier-link:<PO number>#<link generation>"); a refused link changes nothing.
 */
export function answerThroughLink(
  orm: Orm,
  clock: Clock,
  links: SupplierLinks,
  token: string,
  answer: Pick<Answer, 'promisedTime' | 'lines' | 'note'>,
): Promise<Answered> {
  return transaction(orm, async (sql) => {
    const { purchaseOrderId } = await openSupplierLink(sql, links, token, clock.now());
    const order = await findPurchaseOrder(sql, purchaseOrderId, true);
    // checked again under the PO's lock: a newer link issued meanwhile has revoked this one
    const { generation } = await openSupplierLink(sql, links, token, clock.now());
    return answerPurchaseOrder(sql, clock, order, { ...answer, purchaseOrderId, revisedBy: `supplier-link:${order.number}#${generation}`, channel: 'SUPPLIER_LINK' });
  });
}

const REFUSALS = {
  LINK_INVALID: 'this link is not valid: it may have been changed or cut short; use the link in your latest email',
  LINK_EXPIRED: 'this link has expired; ask the buyer to send the purchase order again',
  LINK_REVOKED: 'this link was replaced by a newer one; use the link in your latest email',
} as const;
