import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { Any } from '../gen/google/protobuf/any';
import { BadRequest, ErrorInfo, RetryInfo, type BadRequest_FieldViolation } from '../gen/google/rpc/error_details';
import { Status as RpcStatus } from '../gen/google/rpc/status';

export type FieldViolation = BadRequest_FieldViolation;

export type ErrorKind = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'FAILED_PRECONDITION' | 'ABORTED' | 'UNAVAILABLE' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED';

/** DomainError is the one error type domain code throws for an expected failure. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly reason: string,
    message: string,
    readonly metadata: Record<string, string> = {},
    readonly violations: FieldViolation[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** At most this many field violations go back to the caller: a longer list would outgrow HTTP/2's header limit. */
export const MAX_REPORTED_VIOLATIONS = 20;

/**
 * The longest field name, description or metadata value reported (in characters), and the longest message:
 * they may quote what the caller sent, and the error travels in the response's trailers, which HTTP/2 bounds
 * (64 KiB); an error past that is never received and the client waits until its deadline.
 */
export const MAX_REPORTED_TEXT = 120;
const MAX_MESSAGE = 5000;

function bounded(text: string, limit = MAX_REPORTED_TEXT): string {
  if (text.length <= limit) return text;
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

/** A request with bad fields; lists the first MAX_REPORTED_VIOLATIONS, and counts them all in metadata.violation_count. */
export function invalidArgument(violations: FieldViolation[]): DomainError {
  const reported = violations.slice(0, MAX_REPORTED_VIOLATIONS).map((v) => ({ ...v, field: bounded(v.field), description: bounded(v.description) }));
  const more = violations.length - reported.length;
  const message = reported.map((v) => `${v.field}: ${v.description}`).join('; ') + (more > 0 ? `; and ${more} more (${violations.length} in all)` : '');
  return new DomainError('INVALID_ARGUMENT', 'INVALID_FIELDS', message, { violation_count: String(violations.length) }, reported);
}

/** A resource that does not exist. */
export function notFound(resource: string, id: string): DomainError {
  return new DomainError('NOT_FOUND', `${resource.toUpperCase()}_NOT_FOUND`, `${resource} ${id} not found`, { [resource]: id });
}

/** A request the current state does not allow; reason is UPPER_SNAKE. */
export function failedPrecondition(reason: string, message: string, metadata: Record<string, string> = {}): DomainError {
  return new DomainError('FAILED_PRECONDITION', reason, message, metadata);
}

/** An idempotency key reused with a different request. */
export function alreadyExists(key: string, message: string): DomainError {
  return new DomainError('ALREADY_EXISTS', 'REQUEST_ID_REUSED', message, { key });
}

const CODES: Record<ErrorKind, Status> = {
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  NOT_FOUND: Status.NOT_FOUND,
  ALREADY_EXISTS: Status.ALREADY_EXISTS,
  FAILED_PRECONDITION: Status.FAILED_PRECONDITION,
  ABORTED: Status.ABORTED,
  UNAVAILABLE: Status.UNAVAILABLE,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  PERMISSION_DENIED: Status.PERMISSION_DENIED,
};

const PG_CODES: Record<string, () => DomainError> = {
  // numeric_value_out_of_range: a total that no longer fits its column.
  '22003': () => failedPrecondition('QUANTITY_OUT_OF_RANGE', 'the resulting quantity is out of range'),
  // serialization_failure and deadlock_detected: safe to retry.
  '40001': () => new DomainError('ABORTED', 'CONCURRENT_UPDATE', 'concurrent update, retry'),
  '40P01': () => new DomainError('ABORTED', 'CONCURRENT_UPDATE', 'concurrent update, retry'),
};

/** How long a client told UNAVAILABLE is asked to wait before it tries again (google.rpc.RetryInfo). */
export const RETRY_DELAY_MS = 1000;

// SQLSTATEs of a server that cannot take statements now but will again: too_many_connections, admin_shutdown,
// crash_shutdown, cannot_connect_now (starting up, shutting down, in recovery); class 08 (connection_exception) too.
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03']);
// What the network says when the server is down or out of reach (a name lookup included: a container that is gone).
const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EAI_AGAIN', 'ENOTFOUND']);
// What pg and knex say, without a code, of a connection that died or never came: pg's "Connection terminated
// unexpectedly" and "timeout expired" (connectionTimeoutMillis), "Query read timeout" (query_timeout), and a
// client that already failed; knex's pool timing out (KnexTimeoutError) and a pool being destroyed.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated\b/,
  /\bConnection terminated unexpectedly$/,
  /Connection ended unexpectedly/,
  /Client has encountered a connection error and is not queryable/,
  /^timeout expired$/,
  /^Query read timeout$/,
  /^Knex: Timeout acquiring a connection/,
  /^Unable to acquire a connection$/,
  // knex, when a transaction's connection died under it (the transaction ended, the next statement is refused)
  /^Transaction query already complete\b/,
];

/**
 * Whether error says the database cannot be reached or cannot take statements now (refused, cut, timed out,
 * too many clients, shutting down or starting up), rather than that a statement was wrong. It looks through
 * what wraps the driver's error: MikroORM's DriverException (which copies code and message), an Error's
 * cause, an AggregateError's errors (a connect tried on several addresses).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailableWithin(error, 0);
}

function unavailableWithin(error: unknown, depth: number): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, name, message, cause, errors } = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_NETWORK_CODES.has(code))) return true;
  if (name === 'KnexTimeoutError') return true;
  // knex prefixes a failed statement's message with the statement ("select … - Connection terminated unexpectedly")
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((inner) => unavailableWithin(inner, depth + 1))) return true;
  return cause !== undefined && unavailableWithin(cause, depth + 1);
}

/** The database cannot be reached now: retry later (the details stay in the server's log). */
export function databaseUnavailable(): DomainError {
  return new DomainError('UNAVAILABLE', 'DATABASE_UNAVAILABLE', 'the database is unavailable; retry later');
}

/** Maps what a handler threw to a gRPC error with google.rpc.Status details; null for an unexpected error. */
export function toServiceError(error: unknown, domain: string): Partial<ServiceError> | null {
  const known = asDomainError(error);
  if (!known) return null;
  const details: Any[] = [
    Any.fromPartial({
      typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo',
      value: Buffer.from(ErrorInfo.encode({ reason: known.reason, domain, metadata: boundedValues(known.metadata) }).finish()),
    }),
  ];
  if (known.violations.length > 0) {
    details.push(
      Any.fromPartial({
        typeUrl: 'type.googleapis.com/google.rpc.BadRequest',
        value: Buffer.from(BadRequest.encode({ fieldViolations: known.violations }).finish()),
      }),
    );
  }
  if (known.kind === 'UNAVAILABLE') {
    details.push(
      Any.fromPartial({
        typeUrl: 'type.googleapis.com/google.rpc.RetryInfo',
        value: Buffer.from(RetryInfo.encode({ retryDelay: { seconds: Math.floor(RETRY_DELAY_MS / 1000), nanos: (RETRY_DELAY_MS % 1000) * 1e6 } }).finish()),
      }),
    );
  }
  const code = CODES[known.kind];
  const metadata = new Metadata();
  const message = bounded(known.message, MAX_MESSAGE);
  metadata.set('grpc-status-details-bin', Buffer.from(RpcStatus.encode({ code, message, details }).finish()));
  return { code, details: message, metadata };
}

function boundedValues(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, bounded(value)]));
}

export function asDomainError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  const pgCode = (error as { code?: unknown } | null)?.code;
  if (typeof pgCode === 'string' && PG_CODES[pgCode]) return PG_CODES[pgCode]();
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  return null;
}

/** The details a peer sent with an error (reason, field violations, how long to wait before a retry), for clients and tests. */
export function decodeErrorDetails(error: ServiceError): { reason?: string; metadata: Record<string, string>; violations: FieldViolation[]; retryDelayMs?: number } {
  const raw = error.metadata?.get('grpc-status-details-bin')[0];
  const result = { reason: undefined as string | undefined, metadata: {} as Record<string, string>, violations: [] as FieldViolation[], retryDelayMs: undefined as number | undefined };
  if (!raw) return result;
  for (const detail of RpcStatus.decode(Buffer.from(raw as Buffer)).details) {
    if (detail.typeUrl.endsWith('google.rpc.ErrorInfo')) {
      const info = ErrorInfo.decode(detail.value);
      result.reason = info.reason;
      result.metadata = info.metadata;
    } else if (detail.typeUrl.endsWith('google.rpc.BadRequest')) {
      result.violations = BadRequest.decode(detail.value).fieldViolations;
    } else if (detail.typeUrl.endsWith('google.rpc.RetryInfo')) {
      const delay = RetryInfo.decode(detail.value).retryDelay;
      result.retryDelayMs = delay ? delay.seconds * 1000 + Math.round(delay.nanos / 1e6) : 0;
    }
  }
  return result;
}
