import type { Clock } from '../platform/clock';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, type Orm, type Sql } from '../platform/orm';
import { uuidv7 } from '../platform/uuidv7';
import { findPurchaseOrder, type PurchaseOrderLine } from './purchase-orders';
import { findRevisedLines, findRevisionPage, insertRevision, nextRevisionNumber } from './purchase-order-revision.repository';

/** revision_number is an int column. */
const MAX_REVISION = 2 ** 31 - 1;

/** Where a supplier's answer came from: the API (staff on the supplier's behalf) or the supplier's own page. */
export type RevisionChannel = 'API' | 'SUPPLIER_LINK';

/** How one PO line changed in a revision: confirmed units and promised time before (null: none) and after. */
export interface RevisedLine {
  sku: string;
  oldConfirmedQuantity: number | null;
  newConfirmedQuantity: number;
  oldPromisedTime: Date | null;
  newPromisedTime: Date | null;
}

/** One answer of the supplier to a PO: its first confirmation (number 1) or a later revision, with what changed. */
export interface PurchaseOrderRevision {
  revisionId: string;
  purchaseOrderId: string;
  revisionNumber: number;
  reviseTime: Date;
  revisedBy: string;
  channel: RevisionChannel;
  note: string;
  lines: RevisedLine[];
}

/** A line's answer after a revision: units confirmed (0 = declined) and when they come (null when none come). */
export interface LineAnswer {
  sku: string;
  confirmedQuantity: number;
  promisedTime: Date | null;
}

/** The lines whose confirmed units or promised time an answer changes, in the PO's line order. */
export function revisedLines(lines: PurchaseOrderLine[], answers: Map<string, LineAnswer>): RevisedLine[] {
  return lines.flatMap((line) => {
    const answer = answers.get(line.sku)!;
    if (line.confirmedQuantity === answer.confirmedQuantity && line.promisedTime?.getTime() === answer.promisedTime?.getTime()) return [];
    return [{
      sku: line.sku,
      oldConfirmedQuantity: line.confirmedQuantity,
      newConfirmedQuantity: answer.confirmedQuantity,
      oldPromisedTime: line.promisedTime,
      newPromisedTime: answer.promisedTime,
    }];
  });
}

/** Keeps an answer that changed lines as the PO's next revision, in the caller's transaction (which holds the PO's lock). */
export async function recordRevision(
  sql: Sql,
  clock: Clock,
  revision: Pick<PurchaseOrderRevision, 'purchaseOrderId' | 'revisedBy' | 'channel' | 'note' | 'lines'>,
): Promise<PurchaseOrderRevision> {
  const recorded = { ...revision, revisionId: uuidv7(), revisionNumber: await nextRevisionNumber(sql, revision.purchaseOrderId), reviseTime: clock.now() };
  await insertRevision(sql, recorded);
  return recorded;
}

/** A page of a PO's revisions, oldest first; NOT_FOUND for an unknown PO. */
export async function listPurchaseOrderRevisions(
  orm: Orm,
  purchaseOrderId: string,
  limit: number,
  pageToken: string,
): Promise<{ revisions: PurchaseOrderRevision[]; nextPageToken: string }> {
  const sql = sqlOf(orm.em);
  const after = decodePageToken(pageToken, (p): p is number => Number.isInteger(p) && (p as number) > 0 && (p as number) <= MAX_REVISION) ?? 0;
  await findPurchaseOrder(sql, purchaseOrderId);
  const rows = await findRevisionPage(sql, purchaseOrderId, after, limit + 1);
  const page = rows.slice(0, limit);
  const lines = await findRevisedLines(sql, page.map((r) => r.revisionId));
  const revisions = page.map((r) => ({ ...r, lines: lines.filter((l) => l.revisionId === r.revisionId).map(({ revisionId: _id, ...line }) => line) }));
  return { revisions, nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].revisionNumber) : '' };
}
