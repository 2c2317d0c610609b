import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../platform/auth';
import { ROLES, type Role } from '../platform/roles';

/** A person signed in to the console: who they are to the API (sub) and their roles. */
export type Person = Caller & { name?: string };

/** The roles that may use the console; every page and action checks them on the server. */
export const CONSOLE_ROLES: readonly Role[] = ['planner', 'admin'];

/** The person of the local sign-in link (embedded defaults, no OIDC provider). */
export const LOCAL_ADMIN: Person = { sub: 'local-admin', roles: ['admin'], name: 'Local admin' };

const SESSION_COOKIE = 'restock_session';
const SESSION_HOURS = 8;

/** How the console's cookies are set: Secure unless the console is plain HTTP on a non-loopback host. */
export interface CookiePolicy {
  secure: boolean;
}

/** Signs person in: a signed, HttpOnly, SameSite=Lax cookie holding the identity and an expiry. */
export function startSession(reply: FastifyReply, person: Person, policy: CookiePolicy): void {
  const exp = Date.now() + SESSION_HOURS * 3600 * 1000;
  const value = Buffer.from(JSON.stringify({ sub: person.sub, roles: person.roles, name: person.name, exp })).toString('base64url');
  reply.setCookie(SESSION_COOKIE, value, { signed: true, httpOnly: true, sameSite: 'lax', secure: policy.secure, path: '/', maxAge: SESSION_HOURS * 3600 });
}

export function endSession(reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: policy.secure });
}

/** The person of the request's session cookie, or null when it is missing, altered or expired. */
export function sessionPerson(request: FastifyRequest): Person | null {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const session = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as { sub?: unknown; roles?: unknown; name?: unknown; exp?: unknown };
    if (typeof session.sub !== 'string' || typeof session.exp !== 'number' || session.exp < Date.now() || !Array.isArray(session.roles)) return null;
    const roles = ROLES.filter((role) => (session.roles as unknown[]).includes(role));
    return { sub: session.sub, roles, name: typeof session.name === 'string' ? session.name : undefined };
  } catch {
    return null;
  }
}

/** Whether person may use the console. */
export function mayUseConsole(person: Person): boolean {
  return person.roles.some((role) => CONSOLE_ROLES.includes(role));
}

/** Compares a presented sign-in token with the kept one in constant time. */
export function tokenMatches(presented: string, kept: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(kept);
  return a.length === b.length && timingSafeEqual(a, b);
}
