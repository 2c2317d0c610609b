import type { BackorderMetrics } from '../gen/restock/orders/v1/order';
import { Amount } from '../platform/money';
import { sqlOf } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { backorderFigures } from './order.repository';

/**
 * The backorder KPIs in one aggregate over placed order lines: backorder rate (lines backordered at
 * placement), open lines/units/value, oldest waiting age, fill time (placement to full allocation, mean
 * and continuous p90), cancel rate (backordered units cancelled) and the share of open units expected within 7 days.
 */
export async function backorderMetrics(deps: ServiceDeps): Promise<BackorderMetrics> {
  const m = await backorderFigures(sqlOf(deps.orm.em.fork()), deps.clock.now());
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
  };
}
