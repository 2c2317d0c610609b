import type { FastifyInstance } from 'fastify';
import { Priority } from '../../../gen/restock/common/v1/priority';
import { fieldViolations, type Api } from '../../api';
import { render } from '../../render';

const PRIORITIES: [string, Priority][] = [['STANDARD', Priority.PRIORITY_STANDARD], ['EXPEDITED', Priority.PRIORITY_EXPEDITED], ['VIP', Priority.PRIORITY_VIP]];

/** The backorder queue's filters as the page shows them. */
export interface BackorderFilter {
  /** One SKU's queue in allocation order; "" = every SKU. */
  sku: string;
  supplierId: string;
  priority: string;
  /** Lines waiting at least this many days; "" = any age. */
  minAgeDays: string;
  pageToken: string;
}

/** Waiting lines: one SKU's queue in allocation order, or the queue across SKUs, filtered by the API. */
export async function fetchBackorders(api: Api, filter: BackorderFilter) {
  const days = Number(filter.minAgeDays);
  const page = await api.orders.listBackorders({
    sku: filter.sku,
    supplierId: filter.supplierId,
    priority: PRIORITIES.find(([name]) => name === filter.priority)?.[1] ?? Priority.PRIORITY_UNSPECIFIED,
    minAge: filter.minAgeDays !== '' && days > 0 ? { seconds: Math.round(days * 86_400), nanos: 0 } : undefined,
    pageSize: 100,
    pageToken: filter.pageToken,
  });
  return { backorders: page.backorders, nextPageToken: page.nextPageToken };
}

export default async function backorderRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { sku?: string; supplier?: string; priority?: string; min_age_days?: string; page_token?: string } }>('/backorders', async (request, reply) => {
    const minAge = (request.query.min_age_days ?? '').trim();
    const filter: BackorderFilter = {
      sku: (request.query.sku ?? '').trim(),
      supplierId: (request.query.supplier ?? '').trim(),
      priority: PRIORITIES.some(([name]) => name === request.query.priority) ? request.query.priority! : '',
      minAgeDays: /^\d+(\.\d+)?$/.test(minAge) ? minAge : '',
      pageToken: request.query.page_token ?? '',
    };
    let data: Awaited<ReturnType<typeof fetchBackorders>> = { backorders: [], nextPageToken: '' };
    let errors: Record<string, string> = {};
    try {
      data = await fetchBackorders(request.api, filter);
    } catch (error) {
      const violations = fieldViolations(error);
      if (!violations) throw error;
      errors = violations;
      reply.code(400);
    }
    const next = new URLSearchParams({ sku: filter.sku, supplier: filter.supplierId, priority: filter.priority, min_age_days: filter.minAgeDays, page_token: data.nextPageToken }).toString();
    return render(request, reply, 'backorders.eta', { title: 'Backorders', filter, priorities: PRIORITIES.map(([name]) => name), ...data, errors, nextPage: data.nextPageToken ? `/backorders?${next}` : undefined });
  });
}
