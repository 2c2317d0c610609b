import type { Sql } from '../platform/orm';

/** What a supplier link is checked against: the PO's supplier and its current link generation. */
export interface LinkHolder {
  purchaseOrderId: string;
  supplierId: string;
  linkGeneration: number;
}

/** The PO's supplier and current link generation; undefined when there is no such PO. */
export async function findLinkHolder(sql: Sql, purchaseOrderId: string): Promise<LinkHolder | undefined> {
  const [row] = await sql<LinkHolder>('SELECT purchase_order_id, supplier_id, link_generation FROM procurement.purchase_order WHERE purchase_order_id = ?', [purchaseOrderId]);
  return row;
}

/** Moves the PO to a new link generation (revoking the earlier links) and returns it. */
export async function advanceLinkGeneration(sql: Sql, purchaseOrderId: string): Promise<LinkHolder | undefined> {
  const [row] = await sql<LinkHolder>(
    'UPDATE procurement.purchase_order SET link_generation = link_generation + 1 WHERE purchase_order_id = ? RETURNING purchase_order_id, supplier_id, link_generation',
    [purchaseOrderId],
  );
  return row;
}
