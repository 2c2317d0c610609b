import type { FastifyInstance } from 'fastify';
import { NextReleaseRule, type BufferSummary } from '../../../gen/restock/procurement/v1/buffer';
import { BufferOrder } from '../../../gen/restock/procurement/v1/procurement_service';
import type { Api } from '../../api';
import { render } from '../../render';

/** The orders the page offers; each is ListBuffers' own order_by (the API sorts, the page does not). */
const SORTS = { supplier: BufferOrder.BUFFER_ORDER_UNSPECIFIED, next: BufferOrder.BUFFER_ORDER_NEXT_RELEASE, age: BufferOrder.BUFFER_ORDER_AGE, value: BufferOrder.BUFFER_ORDER_VALUE } as const;
type Sort = keyof typeof SORTS;
const SORT_LABELS: [Sort, string][] = [['next', 'Next release'], ['age', 'Oldest demand'], ['value', 'Value'], ['supplier', 'Supplier id']];
/** Unassigned SKUs shown under the buffers (the most waiting first is ListUnassignedDemand's order). */
const UNASSIGNED_ROWS = 50;
/** Rows per page: ListBuffers' default; the rest are a "Next page" away, with the same filters and order. */
const PAGE_SIZE = 100;

export interface BufferFilter {
  /** Only buffers released before the end of today (UTC). */
  dueToday: boolean;
  sort: Sort;
  /** Text the supplier's name contains. */
  name: string;
  /** Only paused ("yes") or only running ("no") buffers; "" = both. */
  paused: '' | 'yes' | 'no';
  pageToken: string;
  now: Date;
}

/** The end of now's day (UTC): "due today" means released before it. */
export function endOfDay(now: Date): Date {
  const end = new Date(now);
  end.setUTCHours(24, 0, 0, 0);
  return end;
}

/** One page of every supplier's buffer: a single ListBuffers call, filtered and ordered by the API. */
export async function fetchBuffers(api: Api, filter: BufferFilter) {
  const page = await api.procurement.listBuffers({
    pageSize: PAGE_SIZE,
    pageToken: filter.pageToken,
    dueBeforeTime: filter.dueToday ? endOfDay(filter.now) : undefined,
    supplierName: filter.name,
    paused: filter.paused === '' ? undefined : filter.paused === 'yes',
    orderBy: SORTS[filter.sort],
  });
  return { buffers: page.buffers, nextPageToken: page.nextPageToken, asOf: page.asOfTime ?? filter.now };
}

/** The rule that releases a buffer next, in words. */
export function ruleText(buffer: BufferSummary): string {
  switch (buffer.nextReleaseRule) {
    case NextReleaseRule.NEXT_RELEASE_RULE_MIN_QUANTITY:
      return 'Minimum quantity';
    case NextReleaseRule.NEXT_RELEASE_RULE_MIN_VALUE:
      return 'Minimum value';
    case NextReleaseRule.NEXT_RELEASE_RULE_SCHEDULE:
      return 'Schedule';
    case NextReleaseRule.NEXT_RELEASE_RULE_MAX_WAIT:
      return 'Maximum wait';
    case NextReleaseRule.NEXT_RELEASE_RULE_PAUSED:
      return 'None: paused';
    case NextReleaseRule.NEXT_RELEASE_RULE_EMPTY:
      return 'None: empty';
    default:
      return '—';
  }
}

export default async function bufferRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { due?: string; sort?: string; name?: string; paused?: string; page_token?: string } }>('/buffers', async (request, reply) => {
    const sort: Sort = Object.hasOwn(SORTS, request.query.sort ?? '') ? (request.query.sort as Sort) : 'next';
    const filter: BufferFilter = {
      dueToday: request.query.due === 'today',
      sort,
      name: (request.query.name ?? '').trim().slice(0, 100),
      paused: request.query.paused === 'yes' || request.query.paused === 'no' ? request.query.paused : '',
      pageToken: request.query.page_token ?? '',
      now: new Date(),
    };
    const [data, unassigned] = await Promise.all([fetchBuffers(request.api, filter), request.api.procurement.listUnassignedDemand({ pageSize: UNASSIGNED_ROWS })]);
    const query = (pageToken: string) =>
      new URLSearchParams({ ...(filter.dueToday ? { due: 'today' } : {}), sort, ...(filter.name ? { name: filter.name } : {}), ...(filter.paused ? { paused: filter.paused } : {}), page_token: pageToken }).toString();
    return render(request, reply, 'buffers.eta', {
      title: 'Buffers',
      ...data,
      filter,
      sorts: SORT_LABELS,
      ruleText,
      unassigned: unassigned.demands,
      nextPage: data.nextPageToken ? `/buffers?${query(data.nextPageToken)}` : undefined,
    });
  });
}
