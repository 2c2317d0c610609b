import { randomUUID } from 'node:crypto';
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ChannelCredentials,
  type ClientReadableStream,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { certificateCaller, type Auth, type Caller } from './auth';
import { DomainError, invalidArgument, toServiceError } from './errors';
import type { Logger } from './logger';
import type { CallObserver, RpcMetrics } from './metrics';
import { checkRequestFields } from './request-checks';
import { retryServiceConfig } from './retries';
import { mayCall, type RoleTable } from './roles';

/** The shape of a ts-proto generic service definition (outputServices=generic-definitions). */
export interface ServiceDescriptor {
  fullName: string;
  methods: Record<string, { name: string; requestType: MessageType; responseType: MessageType; responseStream?: boolean }>;
}
interface MessageType {
  encode(message: any): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
  fromPartial(object: any): unknown;
}

type Methods<D extends ServiceDescriptor> = D['methods'];
type Message<T> = T extends { decode(input: Uint8Array): infer M } ? M : never;
type DeepPartial<T> = T extends Date | Buffer | Uint8Array | string | number | boolean | undefined ? T : T extends Array<infer U> ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type RequestOf<D extends ServiceDescriptor, K extends keyof Methods<D>> = Message<Methods<D>[K]['requestType']>;
export type ResponseOf<D extends ServiceDescriptor, K extends keyof Methods<D>> = Message<Methods<D>[K]['responseType']>;

/** What a handler gets besides its request. */
export interface CallContext {
  requestId: string;
  log: Logger;
  /** Who called: the verified bearer token's subject and roles, else the verified client certificate's (mTLS). */
  caller: Caller;
}

/** What a server-streaming handler gets besides its request: signal aborts when the client cancels or the server stops. */
export interface StreamContext extends CallContext {
  signal: AbortSignal;
}

/** Why a stream's signal aborted. */
const STREAM_CANCELLED = 'cancelled';
const SERVER_STOPPING = 'stopping';

type IsStream<D extends ServiceDescriptor, K extends keyof Methods<D>> = Methods<D>[K] extends { responseStream: true } ? true : false;

/** Who may call: the verifier of bearer tokens and the service's roles table. */
export interface Access<D extends ServiceDescriptor> {
  auth: Pick<Auth, 'verify'>;
  roles: RoleTable<D>;
}

/**
 * Handlers of a service; a missing one answers UNIMPLEMENTED. A handler may return a partial response; a
 * server-streaming one yields its responses and returns once its signal aborts (or it has nothing more).
 */
export type Handlers<D extends ServiceDescriptor> = {
  [K in keyof Methods<D>]?: IsStream<D, K> extends true
    ? (request: RequestOf<D, K>, call: StreamContext) => AsyncIterable<DeepPartial<ResponseOf<D, K>>>
    : (request: RequestOf<D, K>, call: CallContext) => Promise<DeepPartial<ResponseOf<D, K>>>;
};

/**
 * Wraps handlers for grpc-js: request id, logging, the caller (bearer token, else mTLS client certificate) and
 * its role (before anything else), partial responses, errors mapped to gRPC status, and (given metrics) each
 * call's status code and latency (a stream's: its lifetime). A server stream ends when its client cancels,
 * and with UNAVAILABLE when stopping aborts (the server shuts down: the client resumes elsewhere or later).
 */
export function bindHandlers<D extends ServiceDescriptor>(
  descriptor: D,
  handlers: Handlers<D>,
  log: Logger,
  access: Access<D>,
  metrics?: RpcMetrics,
  stopping?: AbortSignal,
): UntypedServiceImplementation {
  const implementation: UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(descriptor.methods)) {
    const handler = handlers[key as keyof Methods<D>] as ((request: unknown, call: CallContext) => Promise<unknown>) | undefined;
    if (!handler) continue;
    const rpc = `${descriptor.fullName}/${method.name}`;
    const allowed = access.roles[key as keyof Methods<D>];
    const observe = metrics?.observer('server', descriptor.fullName, method.name);
    const authorize = async (call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): Promise<Caller> => {
      // A bearer token, when sent, says who calls; without one, a client certificate the server verified (mTLS) does.
      const authorization = call.metadata.get('authorization')[0]?.toString();
      const certificate = authorization ? undefined : call.getAuthContext().sslPeerCertificate;
      const caller = certificate ? certificateCaller(certificate) : await access.auth.verify(authorization);
      if (!mayCall(caller.roles, allowed)) {
        throw new DomainError('PERMISSION_DENIED', 'ROLE_NOT_ALLOWED', `${rpc} is open to the roles ${['admin', ...allowed].join(', ')}; the caller has ${caller.roles.join(', ') || 'none'}`, {
          rpc,
          roles: caller.roles.join(','),
          allowed: ['admin', ...allowed].join(','),
        });
      }
      return caller;
    };
    if (method.responseStream) {
      const stream = handler as unknown as (request: unknown, call: StreamContext) => AsyncIterable<unknown>;
      implementation[key] = (call: ServerWritableStream<unknown, unknown>) => serveStream(call, stream, { rpc, method, log, authorize, observe, stopping, service: descriptor.fullName });
      continue;
    }
    implementation[key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const requestId = call.metadata.get('x-request-id')[0]?.toString() || randomUUID();
      const callLog = log.child({ rpc, requestId });
      const started = performance.now();
      const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
      authorize(call)
        .then((caller) => checked(call.request, (request) => handler(request, { requestId, log: callLog.child({ sub: caller.sub }), caller })))
        .then(
          (response) => {
            callLog.info({ ms: elapsed() }, 'ok');
            observe?.(status.OK, (performance.now() - started) / 1000);
            callback(null, method.responseType.fromPartial(response ?? {}));
          },
          (error: unknown) => {
            const mapped = toServiceError(error, descriptor.fullName);
            if (mapped) {
              callLog.info({ ms: elapsed(), code: status[mapped.code ?? 0], error: mapped.details }, 'refused');
              observe?.(mapped.code ?? status.UNKNOWN, (performance.now() - started) / 1000);
              callback(mapped);
            } else {
              callLog.error({ ms: elapsed(), err: error }, 'internal error');
              observe?.(status.INTERNAL, (performance.now() - started) / 1000);
              callback({ code: status.INTERNAL, details: `internal error (request ${requestId})` });
            }
          },
        );
    };
  }
  return implementation;
}

interface StreamBinding {
  rpc: string;
  service: string;
  method: { responseType: MessageType };
  log: Logger;
  authorize: (call: ServerWritableStream<unknown, unknown>) => Promise<Caller>;
  observe?: CallObserver;
  stopping?: AbortSignal;
}

/**
 * Runs one server stream: writes what the handler yields (waiting while the client's window is full), ends
 * it when the handler returns, ends it quietly when the client cancels, with UNAVAILABLE when the server
 * stops, and with the mapped status when the handler fails.
 */
function serveStream(call: ServerWritableStream<unknown, unknown>, handler: (request: unknown, call: StreamContext) => AsyncIterable<unknown>, binding: StreamBinding): void {
  const { rpc, service, method, authorize, observe, stopping } = binding;
  const requestId = call.metadata.get('x-request-id')[0]?.toString() || randomUUID();
  const callLog = binding.log.child({ rpc, requestId });
  const started = performance.now();
  const controller = new AbortController();
  const cancelled = () => controller.abort(STREAM_CANCELLED);
  const stop = () => controller.abort(SERVER_STOPPING);
  call.on('cancelled', cancelled);
  if (stopping?.aborted) stop();
  else stopping?.addEventListener('abort', stop, { once: true });
  const finish = (code: status) => {
    stopping?.removeEventListener('abort', stop);
    call.off('cancelled', cancelled);
    callLog.info({ ms: Math.round(performance.now() - started), code: status[code] }, 'stream ended');
    observe?.(code, (performance.now() - started) / 1000);
  };
  const run = async () => {
    const caller = await authorize(call);
    await checked(call.request, async (request) => {
      const context: StreamContext = { requestId, log: callLog.child({ sub: caller.sub }), caller, signal: controller.signal };
      for await (const response of handler(request, context)) {
        if (controller.signal.aborted) break;
        if (!call.write(method.responseType.fromPartial(response ?? {}))) await drained(call, controller.signal);
      }
    });
  };
  run().then(
    () => {
      if (controller.signal.reason === STREAM_CANCELLED) return finish(status.CANCELLED);
      if (controller.signal.reason === SERVER_STOPPING) {
        call.emit('error', { code: status.UNAVAILABLE, details: 'the server is shutting down; resume the stream (another replica may answer)' });
        return finish(status.UNAVAILABLE);
      }
      call.end();
      finish(status.OK);
    },
    (error: unknown) => {
      if (controller.signal.reason === STREAM_CANCELLED) return finish(status.CANCELLED);
      const mapped = toServiceError(error, service);
      if (mapped) {
        callLog.info({ code: status[mapped.code ?? 0], error: mapped.details }, 'refused');
        call.emit('error', mapped);
        return finish(mapped.code ?? status.UNKNOWN);
      }
      callLog.error({ err: error }, 'internal error');
      call.emit('error', { code: status.INTERNAL, details: `internal error (request ${requestId})` });
      finish(status.INTERNAL);
    },
  );
}

/** Resolves when the stream may be written again, or when signal aborts. */
function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Request bytes that did not decode: the deserializer returns this instead of throwing, which grpc-js would answer INTERNAL. */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/** Runs handler on a request that decoded and passes the checks every request must pass; INVALID_ARGUMENT otherwise. */
async function checked(request: unknown, handler: (request: unknown) => Promise<unknown>): Promise<unknown> {
  if (request instanceof UndecodableRequest) throw new DomainError('INVALID_ARGUMENT', 'UNDECODABLE_REQUEST', `the request does not decode: ${request.reason}`);
  const violations = checkRequestFields(request);
  if (violations.length > 0) throw invalidArgument(violations);
  return handler(request);
}

function decodeRequest(method: { requestType: MessageType }, bytes: Buffer): unknown {
  try {
    return method.requestType.decode(bytes);
  } catch (error) {
    return new UndecodableRequest(error instanceof Error ? error.message : String(error));
  }
}

/**
 * A promise-returning client of a service; requests may be partial. A server-streaming method returns the
 * responses as an async iterable (one call per iteration); aborting signal cancels the call and ends the iteration.
 */
export type Client<D extends ServiceDescriptor> = {
  [K in keyof Methods<D>]: IsStream<D, K> extends true
    ? (request: DeepPartial<RequestOf<D, K>>, options?: { requestId?: string; signal?: AbortSignal }) => AsyncIterable<ResponseOf<D, K>>
    : (request: DeepPartial<RequestOf<D, K>>, options?: { requestId?: string; timeoutMs?: number }) => Promise<ResponseOf<D, K>>;
} & { close(): void };

type CallbackClient = Record<string, (request: unknown, metadata: Metadata, options: object, callback: (error: ServiceError | null, response: unknown) => void) => void> & {
  close(): void;
};

/** The grpc-js service definition (paths and serializers) of a ts-proto generic definition. */
export function grpcDefinition(descriptor: ServiceDescriptor): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const [key, method] of Object.entries(descriptor.methods)) {
    definition[key] = {
      path: `/${descriptor.fullName}/${method.name}`,
      requestStream: false,
      responseStream: method.responseStream === true,
      requestSerialize: (value: unknown) => Buffer.from(method.requestType.encode(value).finish()),
      requestDeserialize: (bytes: Buffer) => decodeRequest(method, bytes),
      responseSerialize: (value: unknown) => Buffer.from(method.responseType.encode(value).finish()),
      responseDeserialize: (bytes: Buffer) => method.responseType.decode(bytes),
    };
  }
  return definition as ServiceDefinition;
}

/**
 * Connects to a service at address (host:port) and returns a promise-returning client; token gives the bearer
 * token each call sends, transport the channel's credentials (plaintext unless given); metrics, when given,
 * records each call's status code and latency as this client saw them.
 */
export function connect<D extends ServiceDescriptor>(
  descriptor: D,
  address: string,
  token?: () => Promise<string> | string,
  transport: ChannelCredentials = credentials.createInsecure(),
  metrics?: RpcMetrics,
): Client<D> {
  const Constructor = makeGenericClientConstructor(grpcDefinition(descriptor), descriptor.fullName);
  // retries of idempotent calls are set here, once, for every client: peers and tests alike
  const raw = new Constructor(address, transport, { 'grpc.service_config': retryServiceConfig(descriptor) }) as unknown as CallbackClient;
  const client: Record<string, unknown> = { close: () => raw.close() };
  for (const [key, method] of Object.entries(descriptor.methods)) {
    const metadataOf = (bearer: string | undefined, requestId: string | undefined) => {
      const metadata = new Metadata();
      if (requestId) metadata.set('x-request-id', requestId);
      if (bearer) metadata.set('authorization', `Bearer ${bearer}`);
      return metadata;
    };
    if (method.responseStream) {
      const open = raw[key] as unknown as (request: unknown, metadata: Metadata, options: object) => ClientReadableStream<unknown>;
      client[key] = (request: unknown, options: { requestId?: string; signal?: AbortSignal } = {}) => ({
        async *[Symbol.asyncIterator]() {
          const stream = open.call(raw, method.requestType.fromPartial(request), metadataOf(await token?.(), options.requestId), {});
          const cancel = () => stream.cancel();
          options.signal?.addEventListener('abort', cancel, { once: true });
          try {
            for await (const response of stream) yield response;
          } catch (error) {
            if (!options.signal?.aborted || (error as Partial<ServiceError>).code !== status.CANCELLED) throw error;
          } finally {
            options.signal?.removeEventListener('abort', cancel);
            stream.cancel();
          }
        },
      });
      continue;
    }
    const call = (request: unknown, options: { requestId?: string; timeoutMs?: number } = {}) =>
      Promise.resolve(token?.()).then(
        (bearer) =>
          new Promise((resolve, reject) => {
            const metadata = metadataOf(bearer, options.requestId);
            const deadline = new Date(Date.now() + (options.timeoutMs ?? 30_000));
            raw[key](method.requestType.fromPartial(request), metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
          }),
      );
    const observe = metrics?.observer('client', descriptor.fullName, method.name);
    client[key] = observe ? observed(call, observe) : call;
  }
  return client as Client<D>;
}

/** call, recording the status code each of its calls ended with and how long it took. */
function observed<A extends unknown[]>(call: (...args: A) => Promise<unknown>, observe: CallObserver): (...args: A) => Promise<unknown> {
  return (...args) => {
    const started = performance.now();
    return call(...args).then(
      (response) => {
        observe(status.OK, (performance.now() - started) / 1000);
        return response;
      },
      (error: unknown) => {
        const code = (error as Partial<ServiceError>)?.code;
        observe(typeof code === 'number' ? code : status.UNKNOWN, (performance.now() - started) / 1000);
        throw error;
      },
    );
  };
}
