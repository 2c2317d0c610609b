import { notFound } from '../platform/errors';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { sqlOf, type Orm, type Sql } from '../platform/orm';
import { addDays } from './lead-times';
import { supplierLeadTimes } from './lead-time-store';
import type { ReleaseTrigger } from './release-rules';

export type PurchaseOrderStatus = 'ISSUED' | 'SENT' | 'CONFIRMED' | 'PARTIALLY_RECEIVED' | 'RECEIVED' | 'CANCELLED';

/** PurchaseOrderLine is one SKU of a PO (unit cost as a decimal in the PO's currency). */
export interface PurchaseOrderLine {
  sku: string;
  supplierSku: string;
  quantity: number;
  demandedQuantity: number;
  confirmedQuantity: number | null;
  receivedQuantity: number;
  unitCost: string;
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
  total: string;
  createTime: Date;
  requestedDeliveryTime: Date;
  sendTime: Date | null;
  promisedTime: Date | null;
  /** The promised time once confirmed, else send (or create) time plus the expected lead time. */
  expectedTime: Date;
  cancelReason: string;
}

type HeaderRow = Omit<PurchaseOrder, 'lines' | 'total' | 'createTime' | 'requestedDeliveryTime' | 'sendTime' | 'promisedTime' | 'expectedTime'> & {
  createTime: string;
  requestedDeliveryTime: string;
  sendTime: string | null;
  promisedTime: string | null;
};

/** Reads POs with their lines (two statements whatever the count), in the order of ids. */
export async function loadPurchaseOrders(sql: Sql, ids: string[], lock = false): Promise<PurchaseOrder[]> {
  if (ids.length === 0) return [];
  const headers = await sql<HeaderRow>(
    `SELECT purchase_order_id AS "purchaseOrderId", number, supplier_id AS "supplierId", status, trigger, currency_code AS "currencyCode",
       create_time AS "createTime", requested_delivery_time AS "requestedDeliveryTime", send_time AS "sendTime",
       promised_time AS "promisedTime", cancel_reason AS "cancelReason"
     FROM procurement.purchase_order WHERE purchase_order_id = ANY(?) ORDER BY purchase_order_id ${lock ? 'FOR UPDATE' : ''}`,
    [ids],
  );
  const lines = await sql<PurchaseOrderLine & { purchaseOrderId: string }>(
    `SELECT purchase_order_id AS "purchaseOrderId", sku, supplier_sku AS "supplierSku", quantity, demanded_quantity AS "demandedQuantity",
       confirmed_quantity AS "confirmedQuantity", received_quantity AS "receivedQuantity", unit_cost::text AS "unitCost"
     FROM procurement.purchase_order_line WHERE purchase_order_id = ANY(?) ORDER BY sku`,
    [ids],
  );
  const totals = await sql<{ purchaseOrderId: string; total: string }>(
    `SELECT purchase_order_id AS "purchaseOrderId", sum(quantity * unit_cost)::text AS total
     FROM procurement.purchase_order_line WHERE purchase_order_id = ANY(?) GROUP BY purchase_order_id`,
    [ids],
  );
  const leadTimes = await supplierLeadTimes(sql, headers.map((h) => h.supplierId));
  const totalOf = new Map(totals.map((t) => [t.purchaseOrderId, t.total]));
  const linesOf = new Map<string, PurchaseOrderLine[]>();
  for (const { purchaseOrderId, ...line } of lines) linesOf.set(purchaseOrderId, [...(linesOf.get(purchaseOrderId) ?? []), line]);
  const byId = new Map(
    headers.map((h) => {
      const sendTime = h.sendTime ? new Date(h.sendTime) : null;
      const promisedTime = h.promisedTime ? new Date(h.promisedTime) : null;
      const createTime = new Date(h.createTime);
      const order: PurchaseOrder = {
        ...h,
        lines: linesOf.get(h.purchaseOrderId) ?? [],
        total: totalOf.get(h.purchaseOrderId) ?? '0',
        createTime,
        requestedDeliveryTime: new Date(h.requestedDeliveryTime),
        sendTime,
        promisedTime,
        expectedTime: promisedTime ?? addDays(sendTime ?? createTime, leadTimes.get(h.supplierId)!.expectedDays),
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

type Position = [string, string];

/** A page of POs, newest first, optionally of one supplier and/or in one status. */
export async function listPurchaseOrders(
  orm: Orm,
  filter: { supplierId: string; status: PurchaseOrderStatus | null },
  limit: number,
  pageToken: string,
): Promise<{ purchaseOrders: PurchaseOrder[]; nextPageToken: string }> {
  const sql = sqlOf(orm.em);
  const after = decodePageToken(pageToken, (p): p is Position => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'string'));
  const rows = await sql<{ id: string; createTime: string }>(
    `SELECT purchase_order_id AS id, to_char(create_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createTime"
     FROM procurement.purchase_order
     WHERE (? = '' OR supplier_id = ?) AND (?::text IS NULL OR status = ?)
       AND (?::timestamptz IS NULL OR (create_time, purchase_order_id) < (?::timestamptz, ?))
     ORDER BY create_time DESC, purchase_order_id DESC LIMIT ?`,
    [filter.supplierId, filter.supplierId, filter.status, filter.status, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? '', limit + 1],
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    purchaseOrders: await loadPurchaseOrders(sql, page.map((r) => r.id)),
    nextPageToken: rows.length > limit ? encodePageToken([last.createTime, last.id]) : '',
  };
}
