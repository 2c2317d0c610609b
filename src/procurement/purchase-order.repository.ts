import type { Sql } from '../platform/orm';
import { PURCHASE_ORDER_DUE_SQL } from './overdue.repository';
import type { ReturnedDemand } from './demand';
import type { TakenDemand } from './buffer.repository';
import type { StatusChange } from './purchase-order-lifecycle';
import type { PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus } from './purchase-orders';

/** A PO's own columns, without its lines and what is derived from them. */
export type PurchaseOrderHeader = Omit<PurchaseOrder, 'lines' | 'total' | 'expectedTime' | 'dueTime'>;

/** A PO needs a planner's attention while it is unconfirmed after its last reminder's grace (set by the reminders task). */
const NEEDS_ATTENTION = `(status = 'SENT' AND attention_time IS NOT NULL)`;

/** The headers of these POs in id order, locked FOR UPDATE for a lifecycle change when asked. */
export function findPurchaseOrderHeaders(sql: Sql, ids: string[], lock: boolean): Promise<PurchaseOrderHeader[]> {
  return sql<PurchaseOrderHeader>(
    `SELECT purchase_order_id, number, supplier_id, status, trigger, currency_code, create_time, requested_delivery_time, send_time,
       promised_time, cancel_reason, coalesce(released_by, '') AS released_by, coalesce(release_reason, '') AS release_reason,
       reminder_count, ${NEEDS_ATTENTION} AS needs_attention,
       (SELECT greatest(count(*) - 1, 0)::int FROM procurement.purchase_order_revision r WHERE r.purchase_order_id = po.purchase_order_id) AS revision_count
     FROM procurement.purchase_order po WHERE purchase_order_id = ANY(?) ORDER BY purchase_order_id ${lock ? 'FOR UPDATE OF po' : ''}`,
    [ids],
  );
}

/** A PO line as stored, with its PO's id (unit cost as decimal text). */
export type PurchaseOrderLineRow = Omit<PurchaseOrderLine, 'unitCost'> & { purchaseOrderId: string; unitCost: string };

/** The lines of these POs, ordered by SKU. */
export function findPurchaseOrderLines(sql: Sql, ids: string[]): Promise<PurchaseOrderLineRow[]> {
  return sql<PurchaseOrderLineRow>(
    `SELECT purchase_order_id, sku, supplier_sku, quantity, demanded_quantity, confirmed_quantity, received_quantity, unit_cost, promised_time
     FROM procurement.purchase_order_line WHERE purchase_order_id = ANY(?) ORDER BY sku`,
    [ids],
  );
}

/** Where a page of POs ends: the last one's create time (ISO text, microseconds) and id. */
export type PagePosition = [createTime: string, purchaseOrderId: string];

/** What ListPurchaseOrders filters on; empty / null values do not filter. */
export interface PurchaseOrderFilter {
  supplierId: string;
  /** POs in any of these statuses; empty = any status. */
  statuses: PurchaseOrderStatus[];
  /** Created at or after. */
  createStart: Date | null;
  /** Created before. */
  createEnd: Date | null;
  /** Text the PO number contains, ignoring case. */
  numberQuery: string;
  /** Only POs overdue as of this time (PURCHASE_ORDER_DUE_SQL); null = any. */
  overdueAsOf: Date | null;
  /** Only POs that need a planner's attention. */
  needsAttention: boolean;
}

/**
 * Up to `limit` POs after `after`, newest first, filtered: their ids and positions. One scan in creation
 * order (purchase_order_by_supplier, purchase_order_by_status or purchase_order_by_time, whichever the filter
 * narrows best); the number is matched with strpos, so %, _ and \ in the query are plain text.
 */
export async function findPurchaseOrderPage(
  sql: Sql,
  filter: PurchaseOrderFilter,
  after: PagePosition | null,
  limit: number,
): Promise<{ id: string; position: PagePosition }[]> {
  const statuses = filter.statuses.length > 0 ? filter.statuses : null;
  const query = filter.numberQuery === '' ? null : filter.numberQuery;
  const rows = await sql<{ purchaseOrderId: string; createTime: string }>(
    `SELECT purchase_order_id, to_char(create_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS create_time
     FROM procurement.purchase_order po
     WHERE (? = '' OR supplier_id = ?) AND (?::text[] IS NULL OR status = ANY(?::text[]))
       AND (?::timestamptz IS NULL OR ${PURCHASE_ORDER_DUE_SQL} < ?::timestamptz)
       AND (?::timestamptz IS NULL OR create_time >= ?::timestamptz) AND (?::timestamptz IS NULL OR create_time < ?::timestamptz)
       AND (?::text IS NULL OR strpos(upper(number), upper(?::text)) > 0) AND (NOT ?::boolean OR ${NEEDS_ATTENTION})
       AND (?::timestamptz IS NULL OR (create_time, purchase_order_id) < (?::timestamptz, ?))
     ORDER BY create_time DESC, purchase_order_id DESC LIMIT ?`,
    [filter.supplierId, filter.supplierId, statuses, statuses, filter.overdueAsOf, filter.overdueAsOf, filter.createStart, filter.createStart, filter.createEnd, filter.createEnd,
      query, query, filter.needsAttention, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? '', limit],
  );
  return rows.map((r) => ({ id: r.purchaseOrderId, position: [r.createTime, r.purchaseOrderId] }));
}

/** The next `count` PO numbers of the sequence, as decimal text. */
export async function nextPurchaseOrderNumbers(sql: Sql, count: number): Promise<string[]> {
  const rows = await sql<{ seq: string }>(`SELECT nextval('procurement.purchase_order_number')::text AS seq FROM generate_series(1, ?)`, [count]);
  return rows.map((r) => r.seq);
}

/** A new PO as a release writes it. */
export type NewPurchaseOrder = Pick<PurchaseOrder, 'purchaseOrderId' | 'number' | 'supplierId' | 'status' | 'trigger' | 'currencyCode' | 'requestedDeliveryTime'>;

/** Writes new POs created at createTime (released by releasedBy with releaseReason, for a manual release), in one statement. */
export async function insertPurchaseOrders(sql: Sql, orders: NewPurchaseOrder[], createTime: Date, releasedBy?: string, releaseReason?: string): Promise<void> {
  await sql(
    `INSERT INTO procurement.purchase_order (purchase_order_id, number, supplier_id, status, trigger, currency_code, create_time, requested_delivery_time, released_by,
       release_reason)
     SELECT id, number, supplier_id, status, trigger, currency, ?, requested, ?, ?
     FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[]) AS o(id, number, supplier_id, status, trigger, currency, requested)`,
    [createTime, releasedBy ?? null, releaseReason || null, orders.map((o) => o.purchaseOrderId), orders.map((o) => o.number), orders.map((o) => o.supplierId), orders.map((o) => o.status),
      orders.map((o) => o.trigger), orders.map((o) => o.currencyCode), orders.map((o) => o.requestedDeliveryTime)],
  );
}

/** A new PO line as a release writes it (unit cost as decimal text). */
export interface NewPurchaseOrderLine {
  purchaseOrderId: string;
  sku: string;
  supplierSku: string;
  quantity: number;
  demandedQuantity: number;
  unitCost: string;
}

/** Writes new PO lines, in one statement. */
export async function insertPurchaseOrderLines(sql: Sql, lines: NewPurchaseOrderLine[]): Promise<void> {
  await sql(
    `INSERT INTO procurement.purchase_order_line (purchase_order_id, sku, supplier_sku, quantity, demanded_quantity, unit_cost)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::numeric[])`,
    [lines.map((l) => l.purchaseOrderId), lines.map((l) => l.sku), lines.map((l) => l.supplierSku), lines.map((l) => l.quantity),
      lines.map((l) => l.demandedQuantity), lines.map((l) => l.unitCost)],
  );
}

/** Records which demand each new PO carries, in one statement. */
export async function insertPurchaseOrderDemand(sql: Sql, demand: (Omit<TakenDemand, 'supplierId'> & { purchaseOrderId: string })[]): Promise<void> {
  await sql(
    `INSERT INTO procurement.purchase_order_demand (purchase_order_id, demand_id, sku, quantity, demand_time)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::timestamptz[])`,
    [demand.map((d) => d.purchaseOrderId), demand.map((d) => d.demandId), demand.map((d) => d.sku), demand.map((d) => d.quantity), demand.map((d) => d.demandTime)],
  );
}

/** True while a PO's email still has to go out (not sent yet, not cancelled). */
export async function awaitsSending(sql: Sql, purchaseOrderId: string): Promise<boolean> {
  const rows = await sql(
    `SELECT 1 FROM procurement.purchase_order WHERE purchase_order_id = ? AND send_time IS NULL AND status <> 'CANCELLED'`,
    [purchaseOrderId],
  );
  return rows.length > 0;
}

/** Locks a PO's row for recording its email's acceptance; undefined when there is no such PO. */
export async function lockPurchaseOrderSending(
  sql: Sql,
  purchaseOrderId: string,
): Promise<Pick<PurchaseOrder, 'purchaseOrderId' | 'number' | 'status' | 'sendTime'> | undefined> {
  const [order] = await sql<Pick<PurchaseOrder, 'purchaseOrderId' | 'number' | 'status' | 'sendTime'>>(
    'SELECT purchase_order_id, number, status, send_time FROM procurement.purchase_order WHERE purchase_order_id = ? FOR UPDATE',
    [purchaseOrderId],
  );
  return order;
}

/** Records when a PO's email was accepted, leaving its status as it is. */
export async function recordSendTime(sql: Sql, purchaseOrderId: string, sendTime: Date): Promise<void> {
  await sql('UPDATE procurement.purchase_order SET send_time = ?, update_time = now() WHERE purchase_order_id = ?', [sendTime, purchaseOrderId]);
}

/** The SKUs on a PO. */
export async function findPurchaseOrderSkus(sql: Sql, purchaseOrderId: string): Promise<string[]> {
  const rows = await sql<{ sku: string }>('SELECT sku FROM procurement.purchase_order_line WHERE purchase_order_id = ?', [purchaseOrderId]);
  return rows.map((r) => r.sku);
}

/**
 * Applies a status change the transition table allowed (assertTransition), with the send time, promised
 * time or cancel reason that come with it; only from the status the change was checked against.
 */
export async function updatePurchaseOrderStatus(
  sql: Sql,
  change: StatusChange,
  set: { sendTime?: Date; promisedTime?: Date; cancelReason?: string } = {},
): Promise<void> {
  const updated = await sql(
    `UPDATE procurement.purchase_order SET status = ?, send_time = coalesce(?::timestamptz, send_time),
       promised_time = coalesce(?::timestamptz, promised_time), cancel_reason = coalesce(?::text, cancel_reason), update_time = now()
     WHERE purchase_order_id = ? AND status = ? RETURNING purchase_order_id`,
    [change.to, set.sendTime ?? null, set.promisedTime ?? null, set.cancelReason ?? null, change.purchaseOrderId, change.from],
  );
  if (updated.length !== 1) throw new Error(`purchase order ${change.purchaseOrderId} is no longer ${change.from}`);
}

/** Records a supplier's answer for some lines of a PO (units and promised time), lowering what each carries of demand to at most its units. */
export async function recordLineAnswers(sql: Sql, purchaseOrderId: string, lines: { sku: string; confirmedQuantity: number; promisedTime: Date | null }[]): Promise<void> {
  await sql(
    `UPDATE procurement.purchase_order_line l SET confirmed_quantity = a.quantity, promised_time = a.promised,
       demanded_quantity = least(l.demanded_quantity, a.quantity)
     FROM unnest(?::text[], ?::int[], ?::timestamptz[]) AS a(sku, quantity, promised) WHERE l.purchase_order_id = ? AND l.sku = a.sku`,
    [lines.map((l) => l.sku), lines.map((l) => l.confirmedQuantity), lines.map((l) => l.promisedTime), purchaseOrderId],
  );
}

/** The id of the PO with this number (as printed, e.g. PO-2026-000123); undefined when there is none. */
export async function findPurchaseOrderIdByNumber(sql: Sql, number: string): Promise<string | undefined> {
  const [row] = await sql<{ purchaseOrderId: string }>('SELECT purchase_order_id FROM procurement.purchase_order WHERE number = ?', [number]);
  return row?.purchaseOrderId;
}

/**
 * Up to `units` of each SKU's demand on a PO, newest demand first (older demand keeps its place): one
 * statement picks the rows with a running sum. Each comes with how much of that demand the PO carries.
 */
export function pickDemandToReturn(sql: Sql, purchaseOrderId: string, units: Map<string, number>): Promise<(ReturnedDemand & { onOrder: number })[]> {
  return sql<ReturnedDemand & { onOrder: number }>(
    `WITH wanted AS (SELECT * FROM unnest(?::text[], ?::bigint[]) AS w(sku, units)),
     ranked AS (
       SELECT d.demand_id, d.sku, d.quantity, d.demand_time, w.units,
         sum(d.quantity) OVER (PARTITION BY d.sku ORDER BY d.demand_time DESC, d.demand_id DESC) - d.quantity AS newer
       FROM procurement.purchase_order_demand d JOIN wanted w ON w.sku = d.sku
       WHERE d.purchase_order_id = ?)
     SELECT demand_id, sku, demand_time, least(quantity, units - newer)::int AS quantity, quantity AS on_order
     FROM ranked WHERE newer < units`,
    [[...units.keys()], [...units.values()], purchaseOrderId],
  );
}

/** Takes demand off a PO: rows returned whole are removed, partly returned ones reduced. */
export async function removePurchaseOrderDemand(sql: Sql, purchaseOrderId: string, returned: (ReturnedDemand & { onOrder: number })[]): Promise<void> {
  const whole = returned.filter((r) => r.quantity === r.onOrder);
  const partial = returned.filter((r) => r.quantity < r.onOrder);
  await sql('DELETE FROM procurement.purchase_order_demand WHERE purchase_order_id = ? AND demand_id = ANY(?)', [purchaseOrderId, whole.map((r) => r.demandId)]);
  await sql(
    `UPDATE procurement.purchase_order_demand d SET quantity = d.quantity - p.quantity
     FROM unnest(?::text[], ?::int[]) AS p(demand_id, quantity) WHERE d.purchase_order_id = ? AND d.demand_id = p.demand_id`,
    [partial.map((r) => r.demandId), partial.map((r) => r.quantity), purchaseOrderId],
  );
}

/** Adds received units to a PO's lines. */
export async function addReceivedQuantities(sql: Sql, purchaseOrderId: string, lines: { sku: string; quantity: number }[]): Promise<void> {
  await sql(
    `UPDATE procurement.purchase_order_line l SET received_quantity = l.received_quantity + r.quantity
     FROM unnest(?::text[], ?::int[]) AS r(sku, quantity) WHERE l.purchase_order_id = ? AND l.sku = r.sku`,
    [lines.map((l) => l.sku), lines.map((l) => l.quantity), purchaseOrderId],
  );
}

/** Records one lead-time observation per received SKU of a receipt. */
export async function insertLeadTimeObservations(
  sql: Sql,
  observation: { supplierId: string; purchaseOrderId: string; receiptId: string; days: number; observeTime: Date; skus: string[] },
): Promise<void> {
  await sql(
    `INSERT INTO procurement.lead_time_observation (supplier_id, sku, purchase_order_id, receipt_id, days, observe_time)
     SELECT ?, sku, ?, ?, ?, ? FROM unnest(?::text[]) AS r(sku)`,
    [observation.supplierId, observation.purchaseOrderId, observation.receiptId, observation.days, observation.observeTime, observation.skus],
  );
}

/** Each supplier's quoted lead time and observed lead times (days, all its SKUs). */
export function findSupplierObservations(sql: Sql, supplierIds: string[]): Promise<{ supplierId: string; quotedLeadTimeDays: number; days: number[] | null }[]> {
  return sql<{ supplierId: string; quotedLeadTimeDays: number; days: number[] | null }>(
    `SELECT s.supplier_id, s.quoted_lead_time_days,
       (SELECT array_agg(o.days) FROM procurement.lead_time_observation o WHERE o.supplier_id = s.supplier_id) AS days
     FROM procurement.supplier s WHERE s.supplier_id = ANY(?)`,
    [supplierIds],
  );
}

/** The observed lead times of the SKUs per supplier and SKU, for pairs with at least minObservations. */
export function findSkuObservations(sql: Sql, supplierIds: string[], skus: string[], minObservations: number): Promise<{ supplierId: string; sku: string; days: number[] }[]> {
  return sql<{ supplierId: string; sku: string; days: number[] }>(
    `SELECT supplier_id, sku, array_agg(days) AS days FROM procurement.lead_time_observation
     WHERE supplier_id = ANY(?) AND sku = ANY(?) GROUP BY supplier_id, sku HAVING count(*) >= ?`,
    [supplierIds, skus, minObservations],
  );
}

/** A supplier's observed lead times (days), of one SKU or (sku '') of all. */
export async function findObservedDays(sql: Sql, supplierId: string, sku: string): Promise<number[]> {
  const [{ days }] = await sql<{ days: number[] | null }>(
    `SELECT array_agg(days) AS days FROM procurement.lead_time_observation WHERE supplier_id = ? AND (? = '' OR sku = ?)`,
    [supplierId, sku, sku],
  );
  return days ?? [];
}

/** One lead-time observation, with its PO's number; observeTime as exact ISO text (the page position). */
export interface ObservationRow {
  id: string;
  purchaseOrderId: string;
  purchaseOrderNumber: string;
  sku: string;
  observeTime: Date;
  /** observe_time to the microsecond (a Date keeps milliseconds), for the page position. */
  observeCursor: string;
  days: number;
}

/** A page of a supplier's lead-time observations (of one SKU when sku is not ''), oldest first, after a position. */
export function findObservationPage(
  sql: Sql,
  filter: { supplierId: string; sku: string; observeStart: Date | null; observeEnd: Date | null },
  after: [string, string] | null,
  limit: number,
): Promise<ObservationRow[]> {
  return sql<ObservationRow>(
    `SELECT o.id::text AS id, o.purchase_order_id, coalesce(p.number, '') AS purchase_order_number, o.sku, o.days, o.observe_time,
       to_char(o.observe_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS observe_cursor
     FROM procurement.lead_time_observation o
     LEFT JOIN procurement.purchase_order p ON p.purchase_order_id = o.purchase_order_id
     WHERE o.supplier_id = ? AND (? = '' OR o.sku = ?)
       AND (?::timestamptz IS NULL OR o.observe_time >= ?::timestamptz) AND (?::timestamptz IS NULL OR o.observe_time < ?::timestamptz)
       AND (?::timestamptz IS NULL OR (o.observe_time, o.id) > (?::timestamptz, ?::bigint))
     ORDER BY o.observe_time, o.id LIMIT ?`,
    [filter.supplierId, filter.sku, filter.sku, filter.observeStart, filter.observeStart, filter.observeEnd, filter.observeEnd,
      after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? '0', limit],
  );
}

/** What is still to come of a SKU on open POs, per PO line, with the times its arrival is reckoned from (the line's own promise once confirmed). */
export interface OpenLineRow {
  sku: string;
  purchaseOrderId: string;
  supplierId: string;
  remaining: number;
  createTime: Date;
  sendTime: Date | null;
  promisedTime: Date | null;
}

/** The SKUs' open PO lines (ordered, or confirmed, above what was received). */
export function findOpenLines(sql: Sql, skus: string[]): Promise<OpenLineRow[]> {
  return sql<OpenLineRow>(
    `SELECT l.sku, po.purchase_order_id, po.supplier_id, coalesce(l.confirmed_quantity, l.quantity) - l.received_quantity AS remaining,
       po.create_time, po.send_time, l.promised_time
     FROM procurement.purchase_order_line l JOIN procurement.purchase_order po ON po.purchase_order_id = l.purchase_order_id
     WHERE l.sku = ANY(?) AND po.status IN ('ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED')
       AND coalesce(l.confirmed_quantity, l.quantity) > l.received_quantity`,
    [skus],
  );
}

/** Open POs of one status: how many, and how many of them (with their units still to come) are overdue. */
export interface OpenPurchaseOrderFigures {
  status: string;
  open: number;
  overdue: number;
  overdueUnits: number;
}

/**
 * Open POs (issued, sent, confirmed, partially received) per status, in one statement. A PO is overdue as of
 * asOf when units are still to come and its promised time (once confirmed), else its requested delivery time, has
 * passed (PURCHASE_ORDER_DUE_SQL).
 */
export function openPurchaseOrderFigures(sql: Sql, asOf: Date): Promise<OpenPurchaseOrderFigures[]> {
  return sql<OpenPurchaseOrderFigures>(
    `SELECT status, count(*)::int AS open,
            count(*) FILTER (WHERE due < ?)::int AS overdue,
            coalesce(sum(remaining) FILTER (WHERE due < ?), 0)::int8 AS overdue_units
     FROM (SELECT po.status, ${PURCHASE_ORDER_DUE_SQL} AS due,
                  (SELECT coalesce(sum(greatest(coalesce(l.confirmed_quantity, l.quantity) - l.received_quantity, 0)), 0)
                   FROM procurement.purchase_order_line l WHERE l.purchase_order_id = po.purchase_order_id) AS remaining
           FROM procurement.purchase_order po
           WHERE po.status IN ('ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED')) po
     GROUP BY status ORDER BY status`,
    [asOf, asOf],
  );
}
