import { sqlOf, type Orm, type Sql } from '../platform/orm';
import { leadTimeStats, MIN_SKU_OBSERVATIONS, type LeadTimeStats } from './lead-times';
import { findSupplier } from './supplier.repository';

/** Lead-time stats of each supplier (all its SKUs), from its observations and quoted lead time. */
export async function supplierLeadTimes(sql: Sql, supplierIds: string[]): Promise<Map<string, LeadTimeStats>> {
  const rows = await sql<{ supplierId: string; quoted: number; days: number[] | null }>(
    `SELECT s.supplier_id AS "supplierId", s.quoted_lead_time_days AS quoted,
       (SELECT array_agg(o.days) FROM procurement.lead_time_observation o WHERE o.supplier_id = s.supplier_id) AS days
     FROM procurement.supplier s WHERE s.supplier_id = ANY(?)`,
    [[...new Set(supplierIds)]],
  );
  return new Map(rows.map((r) => [r.supplierId, leadTimeStats(r.days ?? [], r.quoted)]));
}

/** Lead-time stats of a supplier for a SKU: its own once it has enough observations, else the supplier's. */
export async function skuLeadTimes(sql: Sql, supplierIds: string[], sku: string): Promise<Map<string, LeadTimeStats>> {
  const perSupplier = await supplierLeadTimes(sql, supplierIds);
  const rows = await sql<{ supplierId: string; days: number[] }>(
    `SELECT supplier_id AS "supplierId", array_agg(days) AS days FROM procurement.lead_time_observation
     WHERE supplier_id = ANY(?) AND sku = ? GROUP BY supplier_id HAVING count(*) >= ?`,
    [[...new Set(supplierIds)], sku, MIN_SKU_OBSERVATIONS],
  );
  for (const row of rows) perSupplier.set(row.supplierId, leadTimeStats(row.days, perSupplier.get(row.supplierId)!.quotedDays));
  return perSupplier;
}

/** GetLeadTimeStats: a supplier's stats, or with a SKU that SKU's own observations of the supplier. */
export async function getLeadTimeStats(orm: Orm, supplierId: string, sku: string): Promise<LeadTimeStats> {
  const em = orm.em.fork();
  const sql = sqlOf(em);
  const supplier = await findSupplier(em, supplierId);
  const [{ days }] = await sql<{ days: number[] | null }>(
    `SELECT array_agg(days) AS days FROM procurement.lead_time_observation WHERE supplier_id = ? AND (? = '' OR sku = ?)`,
    [supplierId, sku, sku],
  );
  return leadTimeStats(days ?? [], supplier.quotedLeadTimeDays);
}
