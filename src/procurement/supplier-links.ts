import type { Clock } from '../platform/clock';
import { notFound } from '../platform/errors';
import { sqlOf, transaction, type Orm, type Sql } from '../platform/orm';
import type { LinkHolder, LinkKind, SignedLinks } from '../platform/signed-links';
import { answerPurchaseOrder, type Answer, type Answered } from './purchase-order-lifecycle';
import { findPurchaseOrder, type PurchaseOrder } from './purchase-orders';
import { findSupplier } from './supplier.repository';
import type { Supplier } from './suppliers';
import { advanceLinkGeneration, findLinkHolder } from './supplier-link.repository';

/** Where the console serves the supplier's page of a PO; the link's token follows. */
export const SUPPLIER_PAGE_PATH = '/supplier/purchase-orders';

/** How links to a supplier's PO page are made: the signer, and how long a link works. */
export interface SupplierLinks {
  links: SignedLinks;
  ttlDays: number;
}

/** A supplier link that opened its PO: which PO, and which issue of its link (for the revision's author). */
export interface OpenedSupplierLink {
  purchaseOrderId: string;
  supplierId: string;
  generation: number;
  expireTime: Date;
}

/** Supplier links open one PO, for its supplier; a link signed for another purpose never opens a PO. */
function kind(links: SupplierLinks): LinkKind {
  return { purpose: 'supplier-purchase-order', path: SUPPLIER_PAGE_PATH, ttlDays: links.ttlDays };
}

async function holder(sql: Sql, purchaseOrderId: string): Promise<LinkHolder | undefined> {
  const row = await findLinkHolder(sql, purchaseOrderId);
  return row && { resourceId: row.purchaseOrderId, party: row.supplierId, generation: row.linkGeneration };
}

/** A link to the PO's supplier page in its current generation, working for ttlDays from now. */
export async function supplierLink(sql: Sql, links: SupplierLinks, purchaseOrderId: string, now: Date): Promise<string> {
  const current = await holder(sql, purchaseOrderId);
  if (!current) throw notFound('purchase_order', purchaseOrderId);
  return links.links.urlFor(kind(links), current, now);
}

/** A new link to the PO's supplier page; every link issued before it stops working (LINK_REVOKED). */
export async function issueSupplierLink(sql: Sql, links: SupplierLinks, purchaseOrderId: string, now: Date): Promise<string> {
  const row = await advanceLinkGeneration(sql, purchaseOrderId);
  if (!row) throw notFound('purchase_order', purchaseOrderId);
  return links.links.urlFor(kind(links), { resourceId: row.purchaseOrderId, party: row.supplierId, generation: row.linkGeneration }, now);
}

/** The PO a supplier's link token opens at `now`; refusals as SignedLinks.open (LINK_INVALID, LINK_EXPIRED, LINK_REVOKED). */
export async function openSupplierLink(sql: Sql, links: SupplierLinks, token: string, now: Date): Promise<OpenedSupplierLink> {
  const opened = await links.links.open(kind(links), token, (id) => holder(sql, id), now);
  return { purchaseOrderId: opened.holder.resourceId, supplierId: opened.holder.party, generation: opened.generation, expireTime: opened.expireTime };
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
