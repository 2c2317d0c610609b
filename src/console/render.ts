import type { FastifyReply, FastifyRequest } from 'fastify';

/** Renders a page template in the layout, with the signed-in person and a CSRF token for its forms. */
export function render(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown> & { title: string }) {
  return reply.view(template, { person: request.person, csrf: reply.generateCsrf({ userInfo: request.person?.sub ?? '' }), errors: {}, ...data });
}
