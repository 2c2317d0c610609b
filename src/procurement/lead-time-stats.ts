import type { Orm, Sql } from '../platform/orm';
import { sqlOf } from '../platform/orm';
import { leadTimeStats, MIN_SKU_OBSERVATIONS, type LeadTimeStats } from './lead-times';
import { findObservedDays, findSkuObservations, findSupplierObservations } from './purchase-order.repository';
import { findSupplier } from './supplier.repository';

/** Lead-time stats of each supplier (all its SKUs), from its observations and quoted lead time. */
export async function supplierLeadTimes(sql: Sql, supplierIds: string[]): Promise<Map<string, LeadTimeStats>> {
  const rows = await findSupplierObservations(sql, [...new Set(supplierIds)]);
  return new Map(rows.map((r) => [r.supplierId, leadTimeStats(r.days ?? [], r.quotedLeadTimeDays)]));
}

/** Lead-time stats of a supplier for a SKU: its own once it has enough observations, else the supplier's. */
export async function skuLeadTimes(sql: Sql, supplierIds: string[], sku: string): Promise<Map<string, LeadTimeStats>> {
  const perSupplier = await supplierLeadTimes(sql, supplierIds);
  const rows = await findSkuObservations(sql, [...new Set(supplierIds)], sku, MIN_SKU_OBSERVATIONS);
  for (const row of rows) perSupplier.set(row.supplierId, leadTimeStats(row.days, perSupplier.get(row.supplierId)!.quotedDays));
  return perSupplier;
}

/** GetLeadTimeStats: a supplier's stats, or with a SKU that SKU's own observations of the supplier. */
export async function getLeadTimeStats(orm: Orm, supplierId: string, sku: string): Promise<LeadTimeStats> {
  const em = orm.em.fork();
  const supplier = await findSupplier(em, supplierId);
  return leadTimeStats(await findObservedDays(sqlOf(em), supplierId, sku), supplier.quotedLeadTimeDays);
}
