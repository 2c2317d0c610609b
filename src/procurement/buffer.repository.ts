import { supplierOfSkuSql } from './supplier-product.repository';
import type { Sql } from '../platform/orm';

/** A supplier's buffered demand of one SKU, its value at the SKU's unit cost as decimal text. */
export interface BufferLineRow {
  sku: string;
  quantity: number;
  value: string;
  oldestDemandTime: Date;
}

/** A supplier's buffered demand per SKU, ordered by SKU. */
export function findBufferLines(sql: Sql, supplierId: string): Promise<BufferLineRow[]> {
  return sql<BufferLineRow>(
    `SELECT b.sku, sum(b.quantity)::int AS quantity, sum(b.quantity) * sp.unit_cost AS value, min(b.demand_time) AS oldest_demand_time
     FROM procurement.buffered_demand b JOIN procurement.supplier_product sp ON sp.supplier_id = b.supplier_id AND sp.sku = b.sku
     WHERE b.supplier_id = ? GROUP BY b.sku, sp.unit_cost ORDER BY b.sku`,
    [supplierId],
  );
}

/** The buffered demand of these suppliers per SKU with its value at unit cost, ordered by supplier and SKU (summed first, then valued). */
export function findBufferLinesOf(sql: Sql, supplierIds: string[]): Promise<(BufferLineRow & { supplierId: string })[]> {
  return sql<BufferLineRow & { supplierId: string }>(
    `SELECT l.supplier_id, l.sku, l.quantity::int AS quantity, l.quantity * sp.unit_cost AS value, l.oldest_demand_time
     FROM (
       SELECT supplier_id, sku, sum(quantity) AS quantity, min(demand_time) AS oldest_demand_time
       FROM procurement.buffered_demand WHERE supplier_id = ANY(?) GROUP BY supplier_id, sku
     ) l
     JOIN procurement.supplier_product sp ON sp.supplier_id = l.supplier_id AND sp.sku = l.sku
     ORDER BY l.supplier_id, l.sku`,
    [supplierIds],
  );
}

/** A supplier's policy, schedule and buffer totals, as ListBuffers reads them (value as decimal text). */
export interface BufferSummaryRow {
  supplierId: string;
  name: string;
  currencyCode: string;
  minQuantity: number;
  minValue: string;
  releaseSchedule: string;
  maxWaitDays: number;
  paused: boolean;
  nextReleaseTime: Date;
  quantity: number;
  value: string;
  lineCount: number;
  oldestDemandTime: Date | null;
}

/**
 * Every supplier (whose name contains nameContains, ignoring case, and whose paused flag is `paused` when
 * given) with its buffer totals: one set-based statement that sums the demand per supplier and SKU first,
 * values those sums at unit cost, then rolls them up per supplier.
 */
export function findBufferSummaries(sql: Sql, filter: { nameContains: string; paused: boolean | null }): Promise<BufferSummaryRow[]> {
  return sql<BufferSummaryRow>(
    `SELECT s.supplier_id, s.name, s.currency_code, s.min_quantity, s.min_value, s.release_schedule, s.max_wait_days, s.paused, s.next_release_time,
       coalesce(t.quantity, 0)::int AS quantity, coalesce(t.value, 0) AS value, coalesce(t.line_count, 0)::int AS line_count, t.oldest_demand_time
     FROM procurement.supplier s
     LEFT JOIN (
       SELECT l.supplier_id, sum(l.quantity) AS quantity, sum(l.quantity * sp.unit_cost) AS value, count(*) AS line_count, min(l.oldest) AS oldest_demand_time
       FROM (
         SELECT supplier_id, sku, sum(quantity) AS quantity, min(demand_time) AS oldest
         FROM procurement.buffered_demand WHERE supplier_id IS NOT NULL GROUP BY supplier_id, sku
       ) l
       JOIN procurement.supplier_product sp ON sp.supplier_id = l.supplier_id AND sp.sku = l.sku
       GROUP BY l.supplier_id
     ) t ON t.supplier_id = s.supplier_id
     WHERE (?::text = '' OR strpos(lower(s.name), lower(?::text)) > 0) AND (?::boolean IS NULL OR s.paused = ?::boolean)`,
    [filter.nameContains, filter.nameContains, filter.paused, filter.paused],
  );
}

/** A supplier's release rules and buffer totals, as one evaluation pass reads them. */
export interface Candidate {
  supplierId: string;
  currencyCode: string;
  minQuantity: number;
  minValue: string;
  maxWaitDays: number;
  paused: boolean;
  nextReleaseTime: Date;
  quantity: number;
  value: string;
  oldestDemandTime: Date | null;
}

/**
 * The suppliers (all, or the one given) that have buffered demand or a schedule due as of asOf, with their
 * rules and buffer totals: one aggregate statement over all buffers, ordered by supplier id.
 */
export function findReleaseCandidates(sql: Sql, supplierId: string, asOf: Date): Promise<Candidate[]> {
  return sql<Candidate>(
    `SELECT s.supplier_id, s.currency_code, s.min_quantity, s.min_value, s.max_wait_days, s.paused, s.next_release_time,
       coalesce(b.quantity, 0)::int AS quantity, coalesce(b.value, 0) AS value, b.oldest_demand_time
     FROM procurement.supplier s
     LEFT JOIN (
       SELECT bd.supplier_id, sum(bd.quantity) AS quantity, sum(bd.quantity * sp.unit_cost) AS value, min(bd.demand_time) AS oldest_demand_time
       FROM procurement.buffered_demand bd
       JOIN procurement.supplier_product sp ON sp.supplier_id = bd.supplier_id AND sp.sku = bd.sku
       WHERE bd.supplier_id IS NOT NULL AND (? = '' OR bd.supplier_id = ?)
       GROUP BY bd.supplier_id
     ) b ON b.supplier_id = s.supplier_id
     WHERE (b.supplier_id IS NOT NULL OR (NOT s.paused AND s.next_release_time <= ?)) AND (? = '' OR s.supplier_id = ?)
     ORDER BY s.supplier_id`,
    [supplierId, supplierId, asOf, supplierId, supplierId],
  );
}

/** Buffer totals of one supplier: units, value at unit cost (decimal text) and the oldest demand's time. */
export interface BufferTotalsRow {
  supplierId: string;
  quantity: number;
  value: string;
  oldestDemandTime: Date;
}

/** The buffer totals of each of these suppliers that has buffered demand, with one aggregate statement. */
export function findBufferTotals(sql: Sql, supplierIds: string[]): Promise<BufferTotalsRow[]> {
  return sql<BufferTotalsRow>(
    `SELECT b.supplier_id, sum(b.quantity)::int AS quantity, sum(b.quantity * sp.unit_cost) AS value, min(b.demand_time) AS oldest_demand_time
     FROM procurement.buffered_demand b JOIN procurement.supplier_product sp ON sp.supplier_id = b.supplier_id AND sp.sku = b.sku
     WHERE b.supplier_id = ANY(?) GROUP BY b.supplier_id`,
    [supplierIds],
  );
}

/** One buffered demand taken out of its buffer by a release. */
export interface TakenDemand {
  supplierId: string;
  demandId: string;
  sku: string;
  quantity: number;
  demandTime: Date;
}

/** Empties these suppliers' buffers in one statement and returns what was in them. */
export function takeBufferedDemand(sql: Sql, supplierIds: string[]): Promise<TakenDemand[]> {
  return sql<TakenDemand>(
    'DELETE FROM procurement.buffered_demand WHERE supplier_id = ANY(?) RETURNING supplier_id, demand_id, sku, quantity, demand_time',
    [supplierIds],
  );
}

/** The buffered demand of these suppliers per SKU (units), without taking it: what a release would take. */
export function findBufferedDemandBySku(sql: Sql, supplierIds: string[]): Promise<{ supplierId: string; sku: string; quantity: number }[]> {
  return sql<{ supplierId: string; sku: string; quantity: number }>(
    `SELECT supplier_id, sku, sum(quantity)::int AS quantity FROM procurement.buffered_demand
     WHERE supplier_id = ANY(?) GROUP BY supplier_id, sku ORDER BY supplier_id, sku`,
    [supplierIds],
  );
}

/** A SKU's buffered demand at one supplier, with the ordering terms and rules that decide its release. */
export interface BufferedSupplyRow {
  sku: string;
  supplierId: string;
  quantity: number;
  oldestDemandTime: Date;
  packSize: number;
  minOrderQuantity: number;
  paused: boolean;
  nextReleaseTime: Date;
  maxWaitDays: number;
}

/** The SKUs' buffered demand per SKU and supplier, for their supply forecasts. */
export function findBufferedSupply(sql: Sql, skus: string[]): Promise<BufferedSupplyRow[]> {
  return sql<BufferedSupplyRow>(
    `SELECT b.sku, b.supplier_id, sum(b.quantity)::int AS quantity, min(b.demand_time) AS oldest_demand_time,
       sp.pack_size, sp.min_order_quantity, s.paused, s.next_release_time, s.max_wait_days
     FROM procurement.buffered_demand b
     JOIN procurement.supplier_product sp ON sp.supplier_id = b.supplier_id AND sp.sku = b.sku
     JOIN procurement.supplier s ON s.supplier_id = b.supplier_id
     WHERE b.sku = ANY(?) GROUP BY b.sku, b.supplier_id, sp.pack_size, sp.min_order_quantity, s.paused, s.next_release_time, s.max_wait_days`,
    [skus],
  );
}

/**
 * Buffered units and their value at unit cost (decimal text), per currency of the supplier they are buffered
 * at; units no supplier sells yet come in a row of their own with currencyCode and value null.
 */
export function bufferedByCurrency(sql: Sql): Promise<{ currencyCode: string | null; quantity: number; value: string | null }[]> {
  return sql<{ currencyCode: string | null; quantity: number; value: string | null }>(
    `SELECT s.currency_code, sum(b.quantity)::int8 AS quantity, sum(b.quantity * sp.unit_cost) AS value
     FROM procurement.buffered_demand b
     LEFT JOIN procurement.supplier_product sp ON sp.supplier_id = b.supplier_id AND sp.sku = b.sku
     LEFT JOIN procurement.supplier s ON s.supplier_id = b.supplier_id
     GROUP BY s.currency_code ORDER BY s.currency_code`,
  );
}

/** The serving supplier of a SKU with its terms for the SKU, its release rules and its whole buffer's totals (value as decimal text). */
export interface ServingSupplyRow {
  sku: string;
  supplierId: string;
  unitCost: string;
  packSize: number;
  minOrderQuantity: number;
  currencyCode: string;
  minQuantity: number;
  minValue: string;
  releaseSchedule: string;
  maxWaitDays: number;
  paused: boolean;
  nextReleaseTime: Date;
  bufferedQuantity: number;
  bufferedValue: string;
  oldestDemandTime: Date | null;
}

/** Per SKU that a supplier sells, the supplier its demand goes to (supplierOfSkuSql) with its rules and buffer totals: one statement. */
export function findServingSupply(sql: Sql, skus: string[]): Promise<ServingSupplyRow[]> {
  return sql<ServingSupplyRow>(
    `SELECT k.sku, sp.supplier_id, sp.unit_cost, sp.pack_size, sp.min_order_quantity, s.currency_code, s.min_quantity, s.min_value,
       s.release_schedule, s.max_wait_days, s.paused, s.next_release_time,
       coalesce(t.quantity, 0)::int AS buffered_quantity, coalesce(t.value, 0) AS buffered_value, t.oldest_demand_time
     FROM unnest(?::text[]) AS k(sku)
     JOIN procurement.supplier_product sp ON sp.sku = k.sku AND sp.supplier_id = ${supplierOfSkuSql('k.sku')}
     JOIN procurement.supplier s ON s.supplier_id = sp.supplier_id
     LEFT JOIN LATERAL (
       SELECT sum(bd.quantity) AS quantity, sum(bd.quantity * bp.unit_cost) AS value, min(bd.demand_time) AS oldest_demand_time
       FROM procurement.buffered_demand bd JOIN procurement.supplier_product bp ON bp.supplier_id = bd.supplier_id AND bp.sku = bd.sku
       WHERE bd.supplier_id = sp.supplier_id
     ) t ON true`,
    [skus],
  );
}
