import type { Sql } from '../platform/orm';
import { LINE_PROMISE_SQL } from './overdue.repository';

/** Keeps when the supplier first confirmed a PO; later confirmations leave it. */
export async function recordFirstConfirmation(sql: Sql, purchaseOrderId: string, confirmTime: Date): Promise<void> {
  await sql('UPDATE procurement.purchase_order SET first_confirm_time = ? WHERE purchase_order_id = ? AND first_confirm_time IS NULL', [confirmTime, purchaseOrderId]);
}

/**
 * The sent PO lines of some suppliers (parameter: their ids) with what the scorecard measures, as a CTE body. A
 * line arrived once what was received covers what was confirmed (else ordered), at its last receipt; lateness is
 * how many days after its promise (LINE_PROMISE_SQL) it arrived, 0 when on time. A PO counts for the fill rate
 * once received in full, or cancelled after a receipt. Days to confirm run from sending to the first confirmation
 * (0 when confirmed before our email left; NULL while unconfirmed: greatest() would make that 0).
 */
const SCORED_LINES = `SELECT po.supplier_id, l.purchase_order_id, l.sku, l.quantity, l.received_quantity, p.promised_time, a.arrival_time,
    extract(epoch FROM greatest(a.arrival_time - p.promised_time, interval '0')) / 86400 AS lateness_days,
    row_number() OVER (PARTITION BY l.purchase_order_id ORDER BY l.sku) = 1 AS first_of_order,
    CASE WHEN po.first_confirm_time IS NOT NULL THEN extract(epoch FROM greatest(po.first_confirm_time - po.send_time, interval '0')) / 86400 END AS confirm_days,
    po.status = 'RECEIVED' OR (po.status = 'CANCELLED' AND sum(l.received_quantity) OVER (PARTITION BY l.purchase_order_id) > 0) AS counts_for_fill
  FROM procurement.purchase_order po
  JOIN procurement.purchase_order_line l ON l.purchase_order_id = po.purchase_order_id
  CROSS JOIN LATERAL (SELECT ${LINE_PROMISE_SQL} AS promised_time) p
  CROSS JOIN LATERAL (
    SELECT CASE WHEN l.received_quantity > 0 AND l.received_quantity >= coalesce(l.confirmed_quantity, l.quantity) THEN
      (SELECT max(o.observe_time) FROM procurement.lead_time_observation o
       WHERE o.supplier_id = po.supplier_id AND o.sku = l.sku AND o.purchase_order_id = l.purchase_order_id) END AS arrival_time) a
  WHERE po.supplier_id = ANY(?) AND po.send_time IS NOT NULL`;

/** What received lines with a promise say, as aggregate SQL over SCORED_LINES. */
const PROMISE_FIGURES = `count(*) FILTER (WHERE arrival_time IS NOT NULL AND promised_time IS NOT NULL)::int AS promised_lines_received,
    count(*) FILTER (WHERE arrival_time <= promised_time)::int AS on_time_lines,
    coalesce(avg(lateness_days) FILTER (WHERE arrival_time IS NOT NULL AND promised_time IS NOT NULL), 0)::float8 AS average_lateness_days`;

/** One row of a scorecard: the supplier overall (sku null) or one of its SKUs. */
export interface ScorecardRow {
  sku: string | null;
  /** POs overall; lines (one per PO) for a SKU. */
  purchaseOrders: number;
  promisedLinesReceived: number;
  onTimeLines: number;
  averageLatenessDays: number;
  filledUnits: number;
  orderedUnits: number;
  averageConfirmDays: number;
}

/**
 * A supplier's scorecard figures, overall first (sku null), then per SKU in SKU order, in one statement. Overall,
 * the days to confirm average over POs; per SKU, over the POs with that SKU.
 */
export function findScorecardRows(sql: Sql, supplierId: string): Promise<ScorecardRow[]> {
  return sql<ScorecardRow>(
    `WITH line AS (${SCORED_LINES})
     SELECT sku, count(DISTINCT purchase_order_id)::int AS purchase_orders, ${PROMISE_FIGURES},
       coalesce(sum(least(received_quantity, quantity)) FILTER (WHERE counts_for_fill), 0)::int8 AS filled_units,
       coalesce(sum(quantity) FILTER (WHERE counts_for_fill), 0)::int8 AS ordered_units,
       coalesce(CASE WHEN GROUPING(sku) = 1 THEN avg(confirm_days) FILTER (WHERE first_of_order) ELSE avg(confirm_days) END, 0)::float8 AS average_confirm_days
     FROM line GROUP BY GROUPING SETS ((), (sku)) ORDER BY GROUPING(sku) DESC, sku`,
    [[supplierId]],
  );
}

/** How late each of these suppliers delivered: its received lines with a promise and their average lateness in days. */
export function findSupplierLateness(sql: Sql, supplierIds: string[]): Promise<{ supplierId: string; promisedLinesReceived: number; averageLatenessDays: number }[]> {
  return sql<{ supplierId: string; promisedLinesReceived: number; averageLatenessDays: number }>(
    `WITH line AS (${SCORED_LINES}) SELECT supplier_id, ${PROMISE_FIGURES} FROM line GROUP BY supplier_id`,
    [supplierIds],
  );
}
