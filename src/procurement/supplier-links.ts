import { notFound } from '../platform/errors';
import type { Sql } from '../platform/orm';
import type { LinkHolder, LinkKind, SignedLinks } from '../platform/signed-links';
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
