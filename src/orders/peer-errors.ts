import { status, type ServiceError } from '@grpc/grpc-js';
import { decodeErrorDetails, DomainError, type ErrorKind } from '../platform/errors';

const REFUSALS: Partial<Record<number, ErrorKind>> = {
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [status.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
};

/** A peer's answer that will not change on retry (bad input, missing resource), as our own DomainError; null otherwise. */
export function peerRefusal(error: unknown): DomainError | null {
  const kind = REFUSALS[(error as ServiceError)?.code ?? -1];
  if (!kind) return null;
  const details = decodeErrorDetails(error as ServiceError);
  return new DomainError(kind, details.reason ?? kind, (error as ServiceError).details, details.metadata, details.violations);
}

/** A failed call to a peer that may succeed later: UNAVAILABLE, so the client retries with the same request id. */
export function peerUnavailable(peer: string, error: unknown): DomainError {
  const message = (error as ServiceError)?.details ?? String(error);
  return new DomainError('UNAVAILABLE', 'PEER_UNAVAILABLE', `${peer} did not answer (${message}); retry with the same request id`, { peer });
}

/** Calls a peer: its refusal becomes our own (same kind and reason), anything else UNAVAILABLE PEER_UNAVAILABLE. */
export async function askPeer<T>(peer: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw peerRefusal(error) ?? peerUnavailable(peer, error);
  }
}
