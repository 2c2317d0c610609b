import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Order } from '../../../gen/restock/orders/v1/order';
import type { OpenCustomerLinkResponse } from '../../../gen/restock/orders/v1/orders_service';
import { apiError, type Api } from '../../api';
import { linkPages, linkRefusal, LINK_PAGE_LIMIT, openLink } from '../../link-pages';
import { render } from '../../render';

interface Params {
  token: string;
}

/** The customer's page of an order, reached by the signed link in every customer email: no account, no session. */
export default async function orderPageRoutes(app: FastifyInstance, options: { api: Api }) {
  const { api } = options;
  linkPages(app, { askAgain: 'Contact us for a new link', contact: 'contact us' });

  app.get<{ Params: Params }>('/orders/:token', { config: LINK_PAGE_LIMIT }, async (request, reply) => {
    const page = await openLink(reply, () => api.orders.openCustomerLink({ link: request.params.token }));
    if (!page) return reply;
    return show(request, reply, page);
  });

  // Cancels the waiting units of the lines ticked (a request id per page shown: a form sent twice cancels once).
  app.post<{ Params: Params; Body: Record<string, string | string[] | undefined> }>('/orders/:token/cancel', { config: LINK_PAGE_LIMIT }, async (request, reply) => {
    const { token } = request.params;
    const page = await openLink(reply, () => api.orders.openCustomerLink({ link: token }));
    if (!page) return reply;
    const body = request.body ?? {};
    const ticked = [body.line ?? []].flat().filter((id): id is string => typeof id === 'string');
    const waiting = new Set(page.order!.lines.filter((l) => l.backorderedQuantity > 0).map((l) => l.lineId));
    if (ticked.length === 0 || ticked.some((id) => !waiting.has(id))) {
      reply.code(400);
      return show(request, reply, page, { formError: 'Tick the waiting items you want to cancel.' });
    }
    const requestId = typeof body.request_id === 'string' && /^[\w-]{1,64}$/.test(body.request_id) ? body.request_id : randomUUID();
    let order: Order;
    try {
      order = (await api.orders.cancelWaitingUnits({ link: token, lineIds: ticked, requestId })).order!;
    } catch (error) {
      const refused = linkRefusal(error);
      if (refused) return reply.refuseLink(refused);
      const answered = apiError(error);
      if (!answered || ![status.FAILED_PRECONDITION, status.NOT_FOUND].includes(answered.code)) throw error;
      reply.code(409);
      return show(request, reply, page, { formError: answered.details });
    }
    return show(request, reply, { ...page, order }, { cancelled: ticked.length });
  });
}

function show(request: FastifyRequest, reply: FastifyReply, page: OpenCustomerLinkResponse, extra: { formError?: string; cancelled?: number } = {}) {
  const order = page.order!;
  return render(request, reply, 'customer-order.eta', {
    title: `Order ${order.orderId}`,
    // the customer is nobody signed in here, whoever else uses this browser
    person: null,
    order,
    page,
    token: (request.params as Params).token,
    requestId: randomUUID(),
    waiting: order.lines.filter((l) => l.backorderedQuantity > 0),
    day: (time: Date | undefined) => (time ? time.toISOString().slice(0, 10) : ''),
    ...extra,
  });
}
