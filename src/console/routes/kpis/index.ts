import type { FastifyInstance } from 'fastify';
import type { Api } from '../../api';
import { render } from '../../render';

/** The backorder KPIs. Today GetBackorderMetrics answers for now, all suppliers; windows and per-supplier views come with its new fields. */
export async function fetchKpis(api: Api) {
  const { metrics } = await api.orders.getBackorderMetrics({});
  return { metrics: metrics! };
}

export default async function kpiRoutes(app: FastifyInstance) {
  app.get('/kpis', async (request, reply) => render(request, reply, 'kpis.eta', { title: 'KPIs', ...(await fetchKpis(request.api)) }));
}
