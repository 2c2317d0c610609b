import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Auth } from './auth';

/**
 * The door of a server for a graceful shutdown. grpc-js's tryShutdown refuses new calls on every connection,
 * those of this very process's peer clients too: a PlaceOrder in flight would then fail on its call to
 * Inventory in the same process and leave its order half placed. So a shutdown first drains: new calls from
 * clients are refused with UNAVAILABLE (their client may send them to another replica, or again later),
 * calls from peer services (role `service`, by token or client certificate) still go through, and the
 * drain ends when no client call is in flight. Then the background work and the server can stop.
 * Server streams (WatchOrderEvents) could last forever, so they are not waited for: `stopping` aborts when
 * the drain starts, which ends each stream with UNAVAILABLE (its client resumes from its last cursor), and
 * a new stream is refused while draining, a peer's too.
 */
export class CallGate {
  private draining = false;
  private taken = 0;
  private readonly idle = new Set<() => void>();
  private readonly stop = new AbortController();
  /** Aborts when the drain starts: what serves a stream ends it. */
  readonly stopping: AbortSignal = this.stop.signal;

  constructor(private readonly auth: Pick<Auth, 'verify'>) {}

  /**
   * implementation with every unary call counted, and refused while draining unless a peer makes it; the
   * definition tells its server streams, which are refused while draining.
   */
  wrap(implementation: UntypedServiceImplementation, definition: ServiceDefinition): UntypedServiceImplementation {
    const wrapped: UntypedServiceImplementation = {};
    for (const [key, handler] of Object.entries(implementation)) {
      if (definition[key]?.responseStream) {
        const serve = handler as (call: ServerWritableStream<unknown, unknown>) => void;
        wrapped[key] = (call: ServerWritableStream<unknown, unknown>) => {
          if (!this.draining) return serve(call);
          call.emit('error', { code: status.UNAVAILABLE, details: 'the server is shutting down; retry (another replica may answer)' });
        };
        continue;
      }
      const unary = handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
      wrapped[key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        if (!this.draining) {
          this.taken++;
          unary(call, this.settle(callback));
          return;
        }
        void this.fromPeer(call).then((peer) =>
          peer ? unary(call, callback) : callback({ code: status.UNAVAILABLE, details: 'the server is shutting down; retry (another replica may answer)' }),
        );
      };
    }
    return wrapped;
  }

  /** Refuses new client calls from now on; resolves once the calls taken before have ended, or after timeoutMs. */
  drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.stop.abort();
    if (this.taken === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idle.add(done);
    });
  }

  private settle(callback: sendUnaryData<unknown>): sendUnaryData<unknown> {
    return (...args: Parameters<sendUnaryData<unknown>>) => {
      callback(...args);
      if (--this.taken === 0) for (const done of [...this.idle]) done();
    };
  }

  /** Whether a peer service makes the call (a valid token with role service, or a verified client certificate). */
  private async fromPeer(call: ServerUnaryCall<unknown, unknown>): Promise<boolean> {
    const authorization = call.metadata.get('authorization')[0]?.toString();
    if (!authorization) return call.getAuthContext().sslPeerCertificate !== undefined;
    try {
      return (await this.auth.verify(authorization)).roles.includes('service');
    } catch {
      return false;
    }
  }
}
