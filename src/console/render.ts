import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Whom a form's CSRF token is bound to: the signed-in person, else the signed link a public page was opened
 * with (its secret is then only in the cookie: there is no session). Never empty: the CSRF check refuses that.
 */
export function csrfUserInfo(request: FastifyRequest): string {
  if (request.person) return request.person.sub;
  const link = (request.params as { token?: unknown } | undefined)?.token;
  return typeof link === 'string' && link !== '' ? `link:${link}` : 'anonymous';
}

/** Renders a page template in the layout, with the signed-in person and a CSRF token for its forms. */
export function render(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown> & { title: string }) {
  return reply.view(template, { person: request.person, csrf: reply.generateCsrf({ userInfo: csrfUserInfo(request) }), errors: {}, ...data });
}
