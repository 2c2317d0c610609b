import type { Sql } from '../platform/orm';

/**
 * What a supplier promised for PO line `l` of PO `po`, as SQL: the one expression of the promise that the
 * overdue rule and the scorecard share. A line confirmed carries its own promise; the PO's covers lines
 * confirmed before lines had one.
 */
export const LINE_PROMISE_SQL = 'coalesce(l.promised_time, po.promised_time)';

/** When line `l` of PO `po` is due: its promise, else (not confirmed yet) the delivery time the PO requested. */
const LINE_DUE_SQL = `coalesce(${LINE_PROMISE_SQL}, po.requested_delivery_time)`;

/** Units still to come on line `l`: what the supplier confirmed (else what we ordered) above what arrived. */
const LINE_REMAINING_SQL = 'greatest(coalesce(l.confirmed_quantity, l.quantity) - l.received_quantity, 0)';

const OPEN_STATUSES_SQL = `('ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED')`;

/**
 * When open PO `po` is due, as SQL: the earliest due time of its lines with units still to come; NULL when
 * nothing is to come or the PO is closed (received, cancelled). The one definition of overdue: a PO is overdue
 * as of a time when this is before it (its promised, else requested, time has passed and units are still to
 * come). ListPurchaseOrders' filter, the overdue gauges, PurchaseOrder.overdue and the daily ETA task use it.
 * (ORDER BY ... LIMIT 1 rather than min(): over the PO's own columns, min() would aggregate the outer query.)
 */
export const PURCHASE_ORDER_DUE_SQL = `(SELECT ${LINE_DUE_SQL} AS due FROM procurement.purchase_order_line l
  WHERE l.purchase_order_id = po.purchase_order_id AND po.status IN ${OPEN_STATUSES_SQL} AND ${LINE_REMAINING_SQL} > 0 ORDER BY due LIMIT 1)`;

/** When each of these POs is due (PURCHASE_ORDER_DUE_SQL); POs with nothing due are left out. */
export async function findDueTimes(sql: Sql, purchaseOrderIds: string[]): Promise<Map<string, Date>> {
  const rows = await sql<{ purchaseOrderId: string; dueTime: Date | null }>(
    `SELECT po.purchase_order_id, ${PURCHASE_ORDER_DUE_SQL} AS due_time FROM procurement.purchase_order po WHERE po.purchase_order_id = ANY(?)`,
    [purchaseOrderIds],
  );
  return new Map(rows.filter((r) => r.dueTime !== null).map((r) => [r.purchaseOrderId, r.dueTime!]));
}

/** The SKUs of lines still to come on POs overdue as of asOf (lines past their own due time), in SKU order. */
export async function findOverdueSkus(sql: Sql, asOf: Date): Promise<string[]> {
  const rows = await sql<{ sku: string }>(
    `SELECT DISTINCT l.sku FROM procurement.purchase_order po JOIN procurement.purchase_order_line l ON l.purchase_order_id = po.purchase_order_id
     WHERE po.status IN ${OPEN_STATUSES_SQL} AND ${LINE_REMAINING_SQL} > 0 AND ${LINE_DUE_SQL} < ? ORDER BY l.sku`,
    [asOf],
  );
  return rows.map((r) => r.sku);
}
