import type { Orm, Sql } from '../platform/orm';
import { sqlOf } from '../platform/orm';
import { leadTimeStats, MIN_SKU_OBSERVATIONS, type LeadTimeStats } from './lead-times';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { findObservationPage, findObservedDays, findSkuObservations, findSupplierObservations } from './purchase-order.repository';
import { findSupplier } from './supplier.repository';

/** Lead-time stats of each supplier (all its SKUs), from its observations and quoted lead time. */
export async function supplierLeadTimes(sql: Sql, supplierIds: string[]): Promise<Map<string, LeadTimeStats>> {
  const rows = await findSupplierObservations(sql, [...new Set(supplierIds)]);
  return new Map(rows.map((r) => [r.supplierId, leadTimeStats(r.days ?? [], r.quotedLeadTimeDays)]));
}

/**
 * Lead-time stats of suppliers for SKUs, with two statements for all: a supplier+SKU's own once it has
 * enough observations, else the supplier's. The answer is looked up by supplier and SKU.
 */
export async function skuLeadTimes(sql: Sql, supplierIds: string[], skus: string[]): Promise<(supplierId: string, sku: string) => LeadTimeStats> {
  const perSupplier = await supplierLeadTimes(sql, supplierIds);
  const rows = await findSkuObservations(sql, [...new Set(supplierIds)], [...new Set(skus)], MIN_SKU_OBSERVATIONS);
  const perSku = new Map(rows.map((row) => [`${row.supplierId}\u0000${row.sku}`, leadTimeStats(row.days, perSupplier.get(row.supplierId)!.quotedDays)]));
  return (supplierId, sku) => perSku.get(`${supplierId}\u0000${sku}`) ?? perSupplier.get(supplierId)!;
}

/** GetLeadTimeStats: a supplier's stats, or with a SKU that SKU's own observations of the supplier. */
export async function getLeadTimeStats(orm: Orm, supplierId: string, sku: string): Promise<LeadTimeStats> {
  const em = orm.em.fork();
  const supplier = await findSupplier(em, supplierId);
  return leadTimeStats(await findObservedDays(sqlOf(em), supplierId, sku), supplier.quotedLeadTimeDays);
}

/** LeadTimeObservation is one measured lead time of a received SKU of a PO. */
export interface LeadTimeObservation {
  purchaseOrderId: string;
  purchaseOrderNumber: string;
  sku: string;
  observeTime: Date;
  days: number;
}

/** ListLeadTimeObservations: a page of a supplier's observations (of one SKU when sku is not ''), oldest first. */
export async function listLeadTimeObservations(
  orm: Orm,
  filter: { supplierId: string; sku: string; observeStart: Date | null; observeEnd: Date | null },
  limit: number,
  pageToken: string,
): Promise<{ observations: LeadTimeObservation[]; nextPageToken: string }> {
  const em = orm.em.fork();
  await findSupplier(em, filter.supplierId);
  const after = decodePageToken(pageToken, (p): p is [string, string] =>
    Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'string') && !Number.isNaN(Date.parse(p[0] as string)) && /^\d+$/.test(p[1] as string));
  const rows = await findObservationPage(sqlOf(em), filter, after ?? null, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    observations: page.map((r) => ({ purchaseOrderId: r.purchaseOrderId, purchaseOrderNumber: r.purchaseOrderNumber, sku: r.sku, observeTime: r.observeTime, days: Number(r.days) })),
    nextPageToken: rows.length > limit ? encodePageToken([last.observeCursor, last.id]) : '',
  };
}
