import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { Eta } from 'eta';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Auth } from '../platform/auth';
import type { Config, ServiceName } from '../platform/config';
import { keptSecret } from '../platform/kept-secret';
import type { Logger } from '../platform/logger';
import { consoleApi, personApis, httpStatusOf, type Api } from './api';
import { format } from './format';
import { OidcSignIn } from './oidc';
import { csrfUserInfo } from './render';
import authRoutes from './routes/auth';
import backorderRoutes from './routes/backorders';
import bufferRoutes from './routes/buffers';
import kpiRoutes from './routes/kpis';
import orderPageRoutes from './routes/order-page';
import purchaseOrderRoutes from './routes/purchase-orders';
import supplierPageRoutes from './routes/supplier-page';
import supplierRoutes from './routes/suppliers';
import { mayUseConsole, sessionPerson, type CookiePolicy, type Person } from './session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person (null when the request has no valid session). */
    person: Person | null;
    /** The API as the signed-in person (only on pages that require one). */
    api: Api;
  }
}

const VIEWS = path.resolve(__dirname, 'views');
const PUBLIC = path.resolve(__dirname, 'public');
const UPLOT = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

/** The running console. */
export interface ConsoleServer {
  port: number;
  /** Where browsers reach it (CONSOLE_PUBLIC_URL, else the address it listens on). */
  url: string;
  /** The local sign-in link (no OIDC provider configured); it signs in a local admin. */
  signInUrl?: string;
  stop(): Promise<void>;
}

export interface ConsoleOptions {
  config: Config;
  auth: Pick<Auth, 'tokens'>;
  log: Logger;
  /** Where each service's gRPC API is reached, and over what transport (the same as peers). */
  addressOf: (service: ServiceName) => string;
  transport?: ChannelCredentials;
}

/** What the routes share: the console's settings and sign-in methods. */
export interface ConsoleContext {
  cookies: CookiePolicy;
  /** The token of the local sign-in link, when there is no OIDC provider. */
  signInToken?: string;
  oidc?: OidcSignIn;
  publicUrl(): string;
}

/** Starts the planners' console: server-rendered pages that call the gRPC API as the signed-in person. */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const { config, log } = options;
  const secret = await keptSecret(path.resolve(config.DATA_DIR, 'console-secret'), 32);
  const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE ? { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) } : undefined;
  let publicUrl = config.CONSOLE_PUBLIC_URL?.replace(/\/$/, '');
  const context: ConsoleContext = {
    cookies: { secure: cookiesMayBeSecure(config, Boolean(tls)) },
    oidc: config.OIDC_ISSUER
      ? new OidcSignIn({ issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID!, clientSecret: config.OIDC_CLIENT_SECRET!, rolesClaim: config.OIDC_ROLES_CLAIM })
      : undefined,
    signInToken: config.OIDC_ISSUER ? undefined : await keptSecret(path.resolve(config.DATA_DIR, 'console-sign-in-token'), 24),
    publicUrl: () => publicUrl!,
  };
  if (!context.cookies.secure) log.warn('the console is served over plain HTTP on a non-loopback address: its cookies cannot be Secure; serve it over TLS or set CONSOLE_PUBLIC_URL to its https address');
  const apis = personApis(options.addressOf, options.auth, options.transport);
  const ownApi = consoleApi(options.addressOf, options.auth, options.transport);

  const trustProxy = Boolean(config.CONSOLE_PUBLIC_URL);
  const app = (tls ? Fastify({ https: tls, trustProxy }) : Fastify({ trustProxy })) as unknown as FastifyInstance;
  await app.register(cookie, { secret });
  await app.register(formbody);
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'restock_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: context.cookies.secure, signed: true },
    // a form's token is bound to the person who was shown it (or, on a public page, to its signed link)
    getUserInfo: csrfUserInfo,
    csrfOpts: { hmacKey: secret },
  });
  await app.register(rateLimit, { global: false });
  await app.register(view, { engine: { eta: new Eta({ views: VIEWS, cache: true }) }, root: VIEWS, layout: 'layout.eta', defaultContext: { format } });
  await app.register(fastifyStatic, { root: [PUBLIC, UPLOT], prefix: '/assets/', index: false, maxAge: '1h' });

  app.decorateRequest('person', null);
  app.decorateRequest('api', null as unknown as Api);
  app.addHook('onRequest', async (request) => {
    request.person = sessionPerson(request);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
  });
  app.setErrorHandler(async (error, request, reply) => {
    const answered = httpStatusOf(error);
    const statusCode = answered?.statusCode ?? (error as { statusCode?: number }).statusCode ?? 500;
    if (statusCode >= 500) log.error({ err: error, url: request.url }, 'console request failed');
    const message = answered?.message ?? (statusCode === 403 ? 'This form has expired or did not come from this console (CSRF check failed). Reload the page and try again.' : statusCode < 500 ? (error as Error).message : 'Something went wrong; it has been logged.');
    return reply.code(statusCode).view('error.eta', { title: `Error ${statusCode}`, person: request.person, statusCode, message });
  });
  app.setNotFoundHandler(async (request, reply) => reply.code(404).view('error.eta', { title: 'Not found', person: request.person, statusCode: 404, message: 'There is no such page.' }));

  await app.register(async (open) => authRoutes(open, context));
  // the supplier's page of a PO: public, its signed link the only credential (checked by the API on every request)
  await app.register(supplierPageRoutes, { api: ownApi });
  // the customer's page of an order: public in the same way
  await app.register(orderPageRoutes, { api: ownApi });
  await app.register(async (planners) => {
    planners.addHook('onRequest', async (request, reply) => {
      if (!request.person) return refuseSignedOut(request, reply);
      if (!mayUseConsole(request.person)) {
        return reply.code(403).view('error.eta', { title: 'Not allowed', person: request.person, statusCode: 403, message: 'The console is for planners. Your account does not have the planner role.' });
      }
      request.api = apis.for(request.person);
    });
    // every form posts with a CSRF token (checked once the body is parsed)
    planners.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      await new Promise<void>((resolve, reject) => planners.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve())));
    });
    planners.get('/', async (_request, reply) => reply.redirect('/buffers'));
    await planners.register(bufferRoutes);
    await planners.register(supplierRoutes);
    await planners.register(purchaseOrderRoutes);
    await planners.register(backorderRoutes);
    await planners.register(kpiRoutes);
  });

  await app.listen({ host: config.GRPC_HOST, port: config.CONSOLE_PORT });
  const port = (app.server.address() as AddressInfo).port;
  publicUrl ??= `${tls ? 'https' : 'http'}://${urlHost(config.GRPC_HOST)}:${port}`;
  const signInUrl = context.signInToken ? `${publicUrl}/sign-in?token=${encodeURIComponent(context.signInToken)}` : undefined;
  log.info({ url: publicUrl, signIn: context.oidc ? 'oidc' : 'local link' }, 'console is serving');
  return {
    port,
    url: publicUrl,
    signInUrl,
    async stop() {
      await app.close();
      apis.close();
      ownApi.close();
    },
  };
}

async function refuseSignedOut(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === 'GET') return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`);
  return reply.code(401).view('error.eta', { title: 'Signed out', person: null, statusCode: 401, message: 'Your session has ended. Sign in again.' });
}

/**
 * Cookies are Secure unless the console is plain HTTP on a non-loopback host. Browsers keep and send Secure cookies
 * of http://localhost and http://127.0.0.1 (loopback counts as a secure context), so local use works with them.
 */
export function cookiesMayBeSecure(config: Pick<Config, 'CONSOLE_PUBLIC_URL' | 'GRPC_HOST'>, tls: boolean): boolean {
  if (tls) return true;
  const host = config.CONSOLE_PUBLIC_URL ? new URL(config.CONSOLE_PUBLIC_URL) : undefined;
  if (host) return host.protocol === 'https:' || isLoopback(host.hostname);
  return isLoopback(config.GRPC_HOST);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\./.test(host) || host === '::1' || host === '[::1]';
}

/** A listening host as it goes in a URL: the wildcard addresses as 127.0.0.1, IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export type { FastifyInstance };
