import type { Sql } from '../platform/orm';
import type { PurchaseOrderRevision, RevisedLine } from './purchase-order-revisions';

/** The number the PO's next revision takes (1 for its first answer); read under the PO's row lock. */
export async function nextRevisionNumber(sql: Sql, purchaseOrderId: string): Promise<number> {
  const [{ next }] = await sql<{ next: number }>(
    'SELECT coalesce(max(revision_number), 0)::int + 1 AS next FROM procurement.purchase_order_revision WHERE purchase_order_id = ?',
    [purchaseOrderId],
  );
  return next;
}

/** Writes a revision with its changed lines. */
export async function insertRevision(sql: Sql, revision: PurchaseOrderRevision): Promise<void> {
  await sql(
    `INSERT INTO procurement.purchase_order_revision (revision_id, purchase_order_id, revision_number, revise_time, revised_by, channel, note)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [revision.revisionId, revision.purchaseOrderId, revision.revisionNumber, revision.reviseTime, revision.revisedBy, revision.channel, revision.note],
  );
  const { lines } = revision;
  await sql(
    `INSERT INTO procurement.purchase_order_revision_line (revision_id, sku, old_confirmed_quantity, new_confirmed_quantity, old_promised_time, new_promised_time)
     SELECT ?, * FROM unnest(?::text[], ?::int[], ?::int[], ?::timestamptz[], ?::timestamptz[])`,
    [revision.revisionId, lines.map((l) => l.sku), lines.map((l) => l.oldConfirmedQuantity), lines.map((l) => l.newConfirmedQuantity),
      lines.map((l) => l.oldPromisedTime), lines.map((l) => l.newPromisedTime)],
  );
}

/** Up to `limit` of a PO's revisions after revision number `after`, oldest first, without their lines. */
export function findRevisionPage(sql: Sql, purchaseOrderId: string, after: number, limit: number): Promise<Omit<PurchaseOrderRevision, 'lines'>[]> {
  return sql<Omit<PurchaseOrderRevision, 'lines'>>(
    `SELECT revision_id, purchase_order_id, revision_number, revise_time, revised_by, channel, note
     FROM procurement.purchase_order_revision WHERE purchase_order_id = ? AND revision_number > ? ORDER BY revision_number LIMIT ?`,
    [purchaseOrderId, after, limit],
  );
}

/** The changed lines of these revisions, by SKU. */
export function findRevisedLines(sql: Sql, revisionIds: string[]): Promise<(RevisedLine & { revisionId: string })[]> {
  return sql<RevisedLine & { revisionId: string }>(
    `SELECT revision_id, sku, old_confirmed_quantity, new_confirmed_quantity, old_promised_time, new_promised_time
     FROM procurement.purchase_order_revision_line WHERE revision_id = ANY(?) ORDER BY revision_id, sku`,
    [revisionIds],
  );
}
