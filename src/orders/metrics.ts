import type { BackorderMetrics } from '../gen/restock/orders/v1/order';
import { Amount } from '../platform/money';
import { sqlOf } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { backorderFigures } from './order.repository';
import { skusServedBy } from './supplier-skus';

/** Which lines the KPIs cover: placed in [start, end), of one SKU ('' = any) and/or the SKUs a supplier serves ('' = any). */
export interface MetricsScope {
  start: Date | null;
  end: Date | null;
  sku: string;
  supplierId: string;
}

/**
 * The backorder KPIs in one aggregate over the placed order lines in scope: backorder rate (lines backordered
 * at placement), open lines/units/value, oldest waiting age, fill time (placement to full allocation, mean
 * and continuous p90), cancel rate (backordered units cancelled) and the share of open units expected within
 * the next 7 days (past ETAs left out); per order too: the share backordered at placement and those still
 * waiting. Open value is one amount per currency; the single open_backorder_value only when there is one.
 */
export async function backorderMetrics(deps: ServiceDeps, scope: MetricsScope = { start: null, end: null, sku: '', supplierId: '' }): Promise<BackorderMetrics> {
  let skus = scope.sku === '' ? null : [scope.sku];
  if (scope.supplierId !== '') {
    const served = await skusServedBy(deps.peers, scope.supplierId, scope.sku);
    skus = skus === null ? served : skus.filter((sku) => served.includes(sku));
  }
  const m = await backorderFigures(sqlOf(deps.orm.em.fork()), deps.clock.now(), { start: scope.start, end: scope.end, skus });
  const openValues = m.openValues.map((v) => Amount.parse(v.value, v.currencyCode).toMoney());
  return {
    backorderRate: m.backorderRate,
    openBackorderLines: m.openLines,
    openBackorderUnits: m.openUnits,
    openBackorderValue: openValues.length === 1 ? openValues[0] : undefined,
    openBackorderValues: openValues,
    oldestBackorderAgeDays: m.oldestAgeDays,
    meanFillTimeDays: m.meanFillDays,
    p90FillTimeDays: m.p90FillDays,
    cancelRate: m.cancelRate,
    shareExpectedWithin7Days: m.shareWithin7Days,
    orderBackorderRate: m.orderBackorderRate,
    openBackorderedOrders: m.openOrders,
  };
}
