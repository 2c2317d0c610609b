import { sqlOf, type Orm, type Sql } from '../platform/orm';
import type { Lateness } from './overdue';
import { findScorecardRows, findSupplierLateness, type ScorecardRow } from './scorecard.repository';
import { findSupplier } from './supplier.repository';

/** How a supplier (or one of its SKUs) kept its promises, over its sent POs; rates are 0-1, 0 when nothing counted. */
export interface SupplierPerformance {
  /** Sent POs; for a SKU, its lines on them. */
  purchaseOrders: number;
  /** Received lines that arrived by their promise, over received lines with a promise. */
  onTimeRate: number;
  /** Units received (up to what was ordered) over units ordered, on POs received in full or cancelled after a receipt. */
  fillRate: number;
  /** Days from sending a PO to the supplier's first confirmation, on average. */
  averageConfirmDays: number;
  /** Days received lines arrived after their promise, on average (on time counts as 0). */
  averageLatenessDays: number;
  promisedLinesReceived: number;
}

/** SupplierScorecard is a supplier's performance overall and per SKU (in SKU order). */
export interface SupplierScorecard {
  supplierId: string;
  overall: SupplierPerformance;
  skus: { sku: string; performance: SupplierPerformance }[];
}

const NOTHING: ScorecardRow = {
  sku: null, purchaseOrders: 0, promisedLinesReceived: 0, onTimeLines: 0, averageLatenessDays: 0, filledUnits: 0, orderedUnits: 0, averageConfirmDays: 0,
};

/** The rates of one scorecard row. */
export function performanceOf(row: ScorecardRow): SupplierPerformance {
  return {
    purchaseOrders: row.purchaseOrders,
    onTimeRate: row.promisedLinesReceived === 0 ? 0 : row.onTimeLines / row.promisedLinesReceived,
    fillRate: row.orderedUnits === 0 ? 0 : row.filledUnits / row.orderedUnits,
    averageConfirmDays: row.averageConfirmDays,
    averageLatenessDays: row.averageLatenessDays,
    promisedLinesReceived: row.promisedLinesReceived,
  };
}

/** GetSupplierScorecard: a supplier's on-time rate, fill rate, time to confirm and lateness, overall and per SKU. */
export async function getSupplierScorecard(orm: Orm, supplierId: string): Promise<SupplierScorecard> {
  const em = orm.em.fork();
  await findSupplier(em, supplierId);
  const rows = await findScorecardRows(sqlOf(em), supplierId);
  const overall = rows.find((r) => r.sku === null) ?? NOTHING;
  return {
    supplierId,
    overall: performanceOf(overall),
    skus: rows.filter((r) => r.sku !== null).map((r) => ({ sku: r.sku!, performance: performanceOf(r) })),
  };
}

/** How late each of these suppliers delivered (its scorecard's lateness), by supplier; suppliers with no sent PO are left out. */
export async function supplierLateness(sql: Sql, supplierIds: string[]): Promise<Map<string, Lateness>> {
  const rows = await findSupplierLateness(sql, [...new Set(supplierIds)]);
  return new Map(rows.map(({ supplierId, ...lateness }) => [supplierId, lateness]));
}
