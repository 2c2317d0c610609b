import type { BackorderMetrics } from '../gen/restock/orders/v1/order';
import { Amount } from '../platform/money';
import { sqlOf } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';

/**
 * The backorder KPIs in one aggregate over placed order lines: backorder rate (lines backordered at
 * placement), open lines/units/value, oldest waiting age, fill time (placement to full allocation, mean
 * and continuous p90), cancel rate (backordered units cancelled) and the share of open units expected within 7 days.
 */
export async function backorderMetrics(deps: ServiceDeps): Promise<BackorderMetrics> {
  const now = deps.clock.now();
  const [m] = await sqlOf(deps.orm.em.fork())<{
    backorderRate: number;
    openLines: number;
    openUnits: number;
    openValues: { currencyCode: string; value: string }[];
    oldestAgeDays: number;
    meanFillDays: number;
    p90FillDays: number;
    cancelRate: number;
    shareWithin7Days: number;
  }>(
    `WITH line AS (
       SELECT *, extract(epoch FROM fill_time - queue_time) / 86400 AS fill_days
       FROM orders.order_line WHERE NOT pending)
     SELECT coalesce(count(*) FILTER (WHERE initially_backordered > 0)::float8 / nullif(count(*), 0), 0) AS "backorderRate",
            count(*) FILTER (WHERE backordered > 0)::int AS "openLines",
            coalesce(sum(backordered), 0)::int AS "openUnits",
            (SELECT coalesce(json_agg(json_build_object('currencyCode', currency_code, 'value', value::text) ORDER BY currency_code), '[]')
             FROM (SELECT currency_code, sum(backordered * unit_price) AS value FROM line WHERE backordered > 0 GROUP BY currency_code) v) AS "openValues",
            coalesce(extract(epoch FROM ?::timestamptz - min(queue_time) FILTER (WHERE backordered > 0)) / 86400, 0)::float8 AS "oldestAgeDays",
            coalesce(avg(fill_days) FILTER (WHERE initially_backordered > 0 AND fill_time IS NOT NULL), 0)::float8 AS "meanFillDays",
            coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY fill_days) FILTER (WHERE initially_backordered > 0 AND fill_time IS NOT NULL), 0)::float8 AS "p90FillDays",
            coalesce(sum(cancelled_waiting)::float8 / nullif(sum(initially_backordered), 0), 0) AS "cancelRate",
            coalesce(sum(backordered) FILTER (WHERE eta_expected <= ?::timestamptz + interval '7 days')::float8 / nullif(sum(backordered), 0), 0) AS "shareWithin7Days"
     FROM line`,
    [now, now],
  );
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
