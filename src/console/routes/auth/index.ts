import type { FastifyInstance } from 'fastify';
import type { PendingSignIn } from '../../oidc';
import type { ConsoleContext } from '../../server';
import { endSession, LOCAL_ADMIN, startSession, tokenMatches } from '../../session';

const PENDING_COOKIE = 'restock_oidc';
const SIGN_IN_LIMIT = { rateLimit: { max: 30, timeWindow: '1 minute' } };

/** Signing in (the local link, or the OIDC provider) and out. */
export default async function authRoutes(app: FastifyInstance, context: ConsoleContext) {
  app.get<{ Querystring: { token?: string; next?: string } }>('/sign-in', { config: SIGN_IN_LIMIT }, async (request, reply) => {
    const next = safeNext(request.query.next);
    if (context.oidc) {
      const redirectUri = `${context.publicUrl()}/auth/callback`;
      const { url, pending } = await context.oidc.start(redirectUri);
      const kept = Buffer.from(JSON.stringify({ ...pending, next })).toString('base64url');
      reply.setCookie(PENDING_COOKIE, kept, { signed: true, httpOnly: true, sameSite: 'lax', secure: context.cookies.secure, path: '/auth', maxAge: 600 });
      return reply.redirect(url.href);
    }
    const token = request.query.token;
    if (token !== undefined) {
      if (!context.signInToken || !tokenMatches(token, context.signInToken)) {
        return reply.code(401).view('sign-in.eta', { title: 'Sign in', person: null, failed: true });
      }
      startSession(reply, LOCAL_ADMIN, context.cookies);
      return reply.redirect(next);
    }
    return reply.view('sign-in.eta', { title: 'Sign in', person: request.person, failed: false });
  });

  app.get('/auth/callback', { config: SIGN_IN_LIMIT }, async (request, reply) => {
    if (!context.oidc) return reply.code(404).view('error.eta', { title: 'Not found', person: null, statusCode: 404, message: 'Sign-in through a provider is not configured.' });
    const raw = request.cookies[PENDING_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    reply.clearCookie(PENDING_COOKIE, { path: '/auth' });
    if (!unsigned?.valid || !unsigned.value) return signInFailed(reply, 'The sign-in took too long or was started elsewhere. Start again.');
    const pending = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as PendingSignIn & { next: string };
    let person;
    try {
      person = await context.oidc.finish(new URL(request.url, context.publicUrl()), pending);
    } catch (error) {
      request.log.warn({ err: error }, 'OIDC sign-in refused');
      return signInFailed(reply, 'The identity provider did not sign you in.');
    }
    startSession(reply, person, context.cookies);
    return reply.redirect(safeNext(pending.next));
  });

  // signed out lands on a page of its own: /sign-in would send the browser straight back to the provider
  app.post('/sign-out', { preHandler: app.csrfProtection }, async (_request, reply) => {
    endSession(reply, context.cookies);
    return reply.redirect('/signed-out', 303);
  });

  app.get('/signed-out', async (_request, reply) => reply.view('signed-out.eta', { title: 'Signed out', person: null }));
}

function signInFailed(reply: import('fastify').FastifyReply, message: string) {
  return reply.code(401).view('error.eta', { title: 'Not signed in', person: null, statusCode: 401, message });
}

/** Where to go after signing in: a path of this console only (never another site). */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/buffers';
}
