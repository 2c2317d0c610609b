import { status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceName } from './config';
import { DomainError } from './errors';
import type { RpcMetrics } from './metrics';
import { connect, type Client, type ServiceDescriptor } from './rpc';
import type { Peers } from './service-module';

/**
 * Clients of the three services, each connected on first use to addressOf(service) over transport (plaintext
 * unless given); every call sends a token of token(), and is counted in metrics when given. A peer that does not
 * answer fails the call as UNAVAILABLE (peerOutage), so a caller waiting on it synchronously hears UNAVAILABLE, never INTERNAL.
 */
export function connectPeers(
  addressOf: (service: ServiceName) => string,
  token: () => Promise<string>,
  transport?: ChannelCredentials,
  metrics?: RpcMetrics,
): Peers & { close(): void } {
  const open = new Map<ServiceName, Client<ServiceDescriptor>>();
  function peer<D extends ServiceDescriptor>(service: ServiceName, descriptor: D): Client<D> {
    if (!open.has(service)) open.set(service, outagesAsUnavailable(service, connect(descriptor, addressOf(service), token, transport, metrics)) as unknown as Client<ServiceDescriptor>);
    return open.get(service) as unknown as Client<D>;
  }
  return {
    get inventory() {
      return peer('inventory', InventoryServiceDefinition);
    },
    get orders() {
      return peer('orders', OrdersServiceDefinition);
    },
    get procurement() {
      return peer('procurement', ProcurementServiceDefinition);
    },
    close() {
      for (const client of open.values()) client.close();
      open.clear();
    },
  };
}

/** Codes that say the peer did not answer (down, unreachable, overloaded, too slow), as opposed to answering no. */
const OUTAGE_CODES = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/**
 * A peer's failure as this service reports it: a peer that did not answer (UNAVAILABLE after the client's own
 * retries, or DEADLINE_EXCEEDED) is UNAVAILABLE with reason PEER_UNAVAILABLE, so the caller retries later; any
 * other error passes as it is. The result keeps the peer's code and details, for code that looks at them.
 */
export function peerOutage(service: ServiceName, error: unknown): unknown {
  const code = (error as ServiceError | null)?.code;
  if (code === undefined || !OUTAGE_CODES.has(code)) return error;
  const details = (error as ServiceError).details;
  const outage = new DomainError('UNAVAILABLE', 'PEER_UNAVAILABLE', `${service} did not answer (${status[code]}: ${details}); retry later`, { peer: service });
  return Object.assign(outage, { code, details });
}

function outagesAsUnavailable<D extends ServiceDescriptor>(service: ServiceName, client: Client<D>): Client<D> {
  const calls = client as unknown as Record<string, (request: unknown, options?: unknown) => Promise<unknown>>;
  const wrapped: Record<string, unknown> = { close: () => client.close() };
  for (const key of Object.keys(calls)) {
    if (key === 'close') continue;
    wrapped[key] = (request: unknown, options?: unknown) => {
      const answer: unknown = calls[key](request, options);
      // a server stream (an async iterable, not a promise) hands its errors to its reader as they are
      if (!(answer instanceof Promise)) return answer;
      return answer.catch((error: unknown) => {
        throw peerOutage(service, error);
      });
    };
  }
  return wrapped as unknown as Client<D>;
}
