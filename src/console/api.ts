import { status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import type { Auth } from '../platform/auth';
import type { ServiceName } from '../platform/config';
import { decodeErrorDetails, type FieldViolation } from '../platform/errors';
import { connectPeers } from '../platform/peers';
import type { Peers } from '../platform/service-module';
import type { Person } from './session';

/** How long a token minted for a signed-in person's calls lives (minted again when a third is left). */
const PERSON_TOKEN_TTL_SECONDS = 120;
/** Signed-in people whose clients are kept open at once; the least recently used is closed past it. */
const MAX_OPEN = 100;

/** gRPC clients of the three services that call as one person. */
export type Api = Peers;

/**
 * The console's way to the API: clients per signed-in person, each call carrying a short-lived HS256 token
 * of that person's identity (so audit records name them), over the same addresses and transport as peers.
 */
export function personApis(addressOf: (service: ServiceName) => string, auth: Pick<Auth, 'tokens'>, transport?: ChannelCredentials) {
  const open = new Map<string, Api & { close(): void }>();
  return {
    for(person: Person): Api {
      const key = `${person.sub}\n${[...person.roles].sort().join(',')}`;
      let api = open.get(key);
      if (api) {
        open.delete(key);
      } else {
        api = connectPeers(addressOf, auth.tokens({ sub: person.sub, roles: person.roles }, PERSON_TOKEN_TTL_SECONDS), transport);
        if (open.size >= MAX_OPEN) {
          const [oldestKey, oldest] = open.entries().next().value!;
          open.delete(oldestKey);
          oldest.close();
        }
      }
      open.set(key, api);
      return api;
    },
    close() {
      for (const api of open.values()) api.close();
      open.clear();
    },
  };
}

/** Who the console is when it calls the API for a page with no signed-in person (the supplier's page). */
export const CONSOLE_CALLER = { sub: 'restock-console', roles: ['service' as const] };

/**
 * The console's own way to the API, for public pages reached by signed links: the link is the credential,
 * checked by the API on every call; the console calls as itself (role service), never as a person.
 */
export function consoleApi(addressOf: (service: ServiceName) => string, auth: Pick<Auth, 'tokens'>, transport?: ChannelCredentials): Api & { close(): void } {
  return connectPeers(addressOf, auth.tokens(CONSOLE_CALLER), transport);
}

/** A gRPC error the API answered, or undefined for anything else. */
export function apiError(error: unknown): (ServiceError & ReturnType<typeof decodeErrorDetails>) | undefined {
  if (typeof error !== 'object' || error === null || typeof (error as ServiceError).code !== 'number' || !('metadata' in error)) return undefined;
  const serviceError = error as ServiceError;
  return Object.assign(serviceError, decodeErrorDetails(serviceError));
}

/** The field violations of an INVALID_ARGUMENT answer, by field path; undefined for any other error. */
export function fieldViolations(error: unknown): Record<string, string> | undefined {
  const answered = apiError(error);
  if (answered?.code !== status.INVALID_ARGUMENT) return undefined;
  const byField: Record<string, string> = {};
  for (const violation of answered.violations as FieldViolation[]) byField[violation.field] = byField[violation.field] ? `${byField[violation.field]}; ${violation.description}` : violation.description;
  if (answered.violations.length === 0) byField[''] = answered.details;
  return byField;
}

/** The HTTP status and message a page shows for an API error. */
export function httpStatusOf(error: unknown): { statusCode: number; message: string } | undefined {
  const answered = apiError(error);
  if (!answered) return undefined;
  const codes: Partial<Record<number, number>> = {
      [status.INVALID_ARGUMENT]: 400,
      [status.FAILED_PRECONDITION]: 409,
      [status.ALREADY_EXISTS]: 409,
      [status.ABORTED]: 409,
      [status.NOT_FOUND]: 404,
      [status.PERMISSION_DENIED]: 403,
      [status.UNAUTHENTICATED]: 401,
      [status.UNAVAILABLE]: 503,
      [status.DEADLINE_EXCEEDED]: 504,
  };
  const statusCode = codes[answered.code] ?? 502;
  return { statusCode, message: answered.details };
}
