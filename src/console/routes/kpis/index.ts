import type { FastifyInstance } from 'fastify';
import { fieldViolations, type Api } from '../../api';
import { render } from '../../render';

const WEEK_MS = 7 * 86_400_000;
export const TREND_WEEKS = 12;

/**
 * The backorder KPIs: GetBackorderMetrics now (optionally for one supplier), and one call per week for the 12-week
 * trend (orders placed in each week, the last week ending now), all at once.
 */
export async function fetchKpis(api: Api, supplierId: string, now = new Date()) {
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => {
    const endTime = new Date(now.getTime() - (TREND_WEEKS - 1 - i) * WEEK_MS);
    return { startTime: new Date(endTime.getTime() - WEEK_MS), endTime };
  });
  const [{ metrics }, ...trend] = await Promise.all([
    api.orders.getBackorderMetrics({ supplierId }),
    ...weeks.map((week) => api.orders.getBackorderMetrics({ supplierId, ...week })),
  ]);
  const rows = weeks.map((week, i) => ({ ...week, metrics: trend[i].metrics! }));
  const chart = {
    time: true,
    x: rows.map((row) => Math.floor(row.startTime.getTime() / 1000)),
    series: [
      { label: 'Backorder rate (%)', values: rows.map((row) => Math.round(row.metrics.backorderRate * 1000) / 10) },
      { label: 'Cancelled share (%)', values: rows.map((row) => Math.round(row.metrics.cancelRate * 1000) / 10) },
      { label: 'Average fill time (days)', values: rows.map((row) => Math.round(row.metrics.meanFillTimeDays * 10) / 10), scale: 'y2' },
    ],
    yLabel: '%',
    y2Label: 'days',
  };
  return { metrics: metrics!, weeks: rows, chart };
}

export default async function kpiRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { supplier?: string } }>('/kpis', async (request, reply) => {
    const supplierId = (request.query.supplier ?? '').trim();
    try {
      return await render(request, reply, 'kpis.eta', { title: 'KPIs', supplierId, ...(await fetchKpis(request.api, supplierId)) });
    } catch (error) {
      const violations = fieldViolations(error);
      if (!violations) throw error;
      reply.code(400);
      return render(request, reply, 'kpis.eta', { title: 'KPIs', supplierId, errors: violations });
    }
  });
}
