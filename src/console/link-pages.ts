import { status } from '@grpc/grpc-js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiError } from './api';

/** Per address, per minute: enough for someone answering a long page, not for guessing links. */
export const LINK_PAGE_LIMIT = { rateLimit: { max: 30, timeWindow: '1 minute' } };

/** The refusals of a link, as HTTP: not ours (403), or ours but no longer working (410). */
const REFUSED: Record<string, { statusCode: number; title: string }> = {
  LINK_INVALID: { statusCode: 403, title: 'This link is not valid' },
  LINK_EXPIRED: { statusCode: 410, title: 'This link has expired' },
  LINK_REVOKED: { statusCode: 410, title: 'This link was replaced' },
};

/** Who to ask for a working link, in the refusal pages of one kind of link page. */
export interface LinkPageWording {
  /** e.g. "Ask the buyer to send the purchase order again". */
  askAgain: string;
  /** e.g. "contact the buyer". */
  contact: string;
}

/**
 * What every page reached by a signed link shares (the supplier's PO page, the customer's order page): no
 * session, so errors and refusals are shown on a page of their own with nobody signed in; never cached (a
 * refusal now, the page when a link works again); every form posted with a CSRF token whose secret is in a
 * signed cookie and which is bound to the link (see csrfUserInfo).
 */
export function linkPages(app: FastifyInstance, wording: LinkPageWording): void {
  app.setErrorHandler(async (error, request, reply) => {
    const statusCode = (error as { statusCode?: number }).statusCode ?? 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'link page failed');
    const message = statusCode === 403
      ? 'This form has expired or did not come from this page. Open the link in your email again and send it again.'
      : statusCode === 429 ? 'Too many requests from your address. Wait a minute and try again.'
        : statusCode < 500 ? (error as Error).message : `Something went wrong on our side; it has been logged. Please try again later or ${wording.contact}.`;
    return reply.code(statusCode).view('link-refusal.eta', { title: statusCode === 429 ? 'Please wait a minute' : `Error ${statusCode}`, person: null, message });
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    await new Promise<void>((resolve, reject) => app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve())));
  });
  app.decorateReply('refuseLink', function (this: FastifyReply, reason: string) {
    const { statusCode, title } = REFUSED[reason];
    const message = reason === 'LINK_INVALID'
      ? 'The link may have been changed or cut short. Open the link in your latest email from us; nothing was changed.'
      : reason === 'LINK_EXPIRED' ? `Links in our emails work for a limited time. ${wording.askAgain}; nothing was changed.`
        : 'A newer email has a new link. Use the link in the latest email; nothing was changed.';
    return this.code(statusCode).view('link-refusal.eta', { title, person: null, message });
  });
}

declare module 'fastify' {
  interface FastifyReply {
    /** Sends the refusal page of a link the API refused (LINK_INVALID, LINK_EXPIRED or LINK_REVOKED). */
    refuseLink(reason: string): FastifyReply;
  }
}

/** LINK_INVALID, LINK_EXPIRED or LINK_REVOKED when the API refused the link; undefined for any other answer. */
export function linkRefusal(error: unknown): string | undefined {
  const answered = apiError(error);
  return answered?.code === status.FAILED_PRECONDITION && answered.reason && REFUSED[answered.reason] ? answered.reason : undefined;
}

/**
 * What a link opens (`open` asks the API, which checks the link on every request), or undefined once the
 * refusal page was sent: a link the API refused, or one it could not even read (INVALID_ARGUMENT).
 */
export async function openLink<T>(reply: FastifyReply, open: () => Promise<T>): Promise<T | undefined> {
  try {
    return await open();
  } catch (error) {
    const refused = linkRefusal(error) ?? (apiError(error)?.code === status.INVALID_ARGUMENT ? 'LINK_INVALID' : undefined);
    if (!refused) throw error;
    reply.refuseLink(refused);
    return undefined;
  }
}
