import type { FastifyInstance } from 'fastify';
import type { Api } from '../../api';
import { render } from '../../render';

/** A SKU's waiting lines in allocation order. Today ListBackorders needs a SKU; its cross-SKU form replaces this when it lands. */
export async function fetchBackorders(api: Api, sku: string, pageToken: string) {
  const page = await api.orders.listBackorders({ sku, pageSize: 100, pageToken });
  return { backorders: page.backorders, nextPageToken: page.nextPageToken };
}

export default async function backorderRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { sku?: string; page_token?: string } }>('/backorders', async (request, reply) => {
    const sku = (request.query.sku ?? '').trim();
    const data = sku ? await fetchBackorders(request.api, sku, request.query.page_token ?? '') : { backorders: [], nextPageToken: '' };
    return render(request, reply, 'backorders.eta', { title: 'Backorders', sku, ...data, now: new Date() });
  });
}
