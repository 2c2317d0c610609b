import { groupBy } from '../platform/collections';
import { notFound } from '../platform/errors';
import { Amount } from '../platform/money';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, type Orm, type Sql } from '../platform/orm';
import { addDays } from './lead-times';
import { supplierLeadTimes } from './lead-time-stats';
import { findDueTimes } from './overdue.repository';
import {
  findPurchaseOrderHeaders, findPurchaseOrderIdByNumber, findPurchaseOrderLines, findPurchaseOrderPage, type PagePosition, type PurchaseOrderFilter,
} from './purchase-order.repository';
import type { ReleaseTrigger } from './release-rules';

export type PurchaseOrderStatus = 'ISSUED' | 'SENT' | 'CONFIRMED' | 'PARTIALLY_RECEIVED' | 'RECEIVED' | 'CANCELLED';

/** PurchaseOrderLine is one SKU of a PO (unit cost in the PO's currency). */
export interface PurchaseOrderLine {
  sku: string;
  supplierSku: string;
  quantity: number;
  demandedQuantity: number;
  confirmedQuantity: number | null;
  receivedQuantity: number;
  unitCost: Amount;
  /** When the supplier promised this line's units; null until confirmed, and for a declined line. */
  promisedTime: Date | null;
}

/** PurchaseOrder is one release of a supplier's buffer. */
export interface PurchaseOrder {
  purchaseOrderId: string;
  number: string;
  supplierId: string;
  status: PurchaseOrderStatus;
  trigger: ReleaseTrigger;
  currencyCode: string;
  lines: PurchaseOrderLine[];
  total: Amount;
  createTime: Date;
  requestedDeliveryTime: Date;
  sendTime: Date | null;
  /** The latest promise of the lines still to come, as of the supplier's last answer. */
  promisedTime: Date | null;
  /** The promised time once confirmed, else send (or create) time plus the expected lead time. */
  expectedTime: Date;
  /** When its units still to come are due (promised, else requested); null when none is to come or it is closed. Past it, it is overdue. */
  dueTime: Date | null;
  cancelReason: string;
  /** Who released it by hand, and why ('' for an automatic release or no reason given). */
  releasedBy: string;
  releaseReason: string;
  /** Reminders to confirm sent so far, and whether it is still unconfirmed after the last one (a planner should chase it). */
  reminderCount: number;
  needsAttention: boolean;
  /** How many answers of the supplier revised its first confirmation. */
  revisionCount: number;
}

/** Reads POs with their lines, in the order of ids. */
export async function loadPurchaseOrders(sql: Sql, ids: string[], lock = false): Promise<PurchaseOrder[]> {
  if (ids.length === 0) return [];
  const headers = await findPurchaseOrderHeaders(sql, ids, lock);
  const lines = await findPurchaseOrderLines(sql, ids);
  const leadTimes = await supplierLeadTimes(sql, headers.map((h) => h.supplierId));
  const dueTimes = await findDueTimes(sql, ids);
  const linesOf = groupBy(lines, (l) => l.purchaseOrderId);
  const byId = new Map(
    headers.map((h) => {
      const orderLines: PurchaseOrderLine[] = (linesOf.get(h.purchaseOrderId) ?? []).map(({ purchaseOrderId: _, unitCost, ...line }) => ({ ...line, unitCost: Amount.parse(unitCost, h.currencyCode) }));
      const order: PurchaseOrder = {
        ...h,
        lines: orderLines,
        total: orderLines.reduce((total, l) => total.plus(l.unitCost.times(l.quantity)), Amount.zero(h.currencyCode)),
        expectedTime: h.promisedTime ?? addDays(h.sendTime ?? h.createTime, leadTimes.get(h.supplierId)!.expectedDays),
        dueTime: dueTimes.get(h.purchaseOrderId) ?? null,
      };
      return [h.purchaseOrderId, order];
    }),
  );
  return ids.map((id) => byId.get(id)).filter((po): po is PurchaseOrder => po !== undefined);
}

/** Reads one PO in the caller's transaction (locked for a lifecycle change when asked). */
export async function findPurchaseOrder(sql: Sql, purchaseOrderId: string, lock = false): Promise<PurchaseOrder> {
  const [order] = await loadPurchaseOrders(sql, [purchaseOrderId], lock);
  if (!order) throw notFound('purchase_order', purchaseOrderId);
  return order;
}

/** Returns one PO. */
export function getPurchaseOrder(orm: Orm, purchaseOrderId: string): Promise<PurchaseOrder> {
  return findPurchaseOrder(sqlOf(orm.em), purchaseOrderId);
}

/** Returns the PO with this number (as the supplier quotes it, in any letter case). */
export async function getPurchaseOrderByNumber(orm: Orm, number: string): Promise<PurchaseOrder> {
  const sql = sqlOf(orm.em);
  const purchaseOrderId = await findPurchaseOrderIdByNumber(sql, number.trim().toUpperCase());
  if (!purchaseOrderId) throw notFound('purchase_order', number);
  return findPurchaseOrder(sql, purchaseOrderId);
}

/** A page of POs, newest first, filtered by supplier, statuses, creation time and number text. */
export async function listPurchaseOrders(
  orm: Orm,
  filter: PurchaseOrderFilter,
  limit: number,
  pageToken: string,
): Promise<{ purchaseOrders: PurchaseOrder[]; nextPageToken: string }> {
  const sql = sqlOf(orm.em);
  const after = decodePageToken(pageToken, (p): p is PagePosition => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'string'));
  const rows = await findPurchaseOrderPage(sql, filter, after ?? null, limit + 1);
  const page = rows.slice(0, limit);
  return {
    purchaseOrders: await loadPurchaseOrders(sql, page.map((r) => r.id)),
    nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1].position) : '',
  };
}
