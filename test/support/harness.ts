import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client as GrpcClient, credentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { startApp, type App, type AppOverrides } from '../../src/app';
import { InventoryServiceDefinition } from '../../src/gen/restock/inventory/v1/inventory_service';
import { OutboxAdminServiceDefinition } from '../../src/gen/restock/operations/v1/operations_service';
import { OrdersServiceDefinition } from '../../src/gen/restock/orders/v1/orders_service';
import { ProcurementServiceDefinition } from '../../src/gen/restock/procurement/v1/procurement_service';
import { createAuth, type Auth, type Caller } from '../../src/platform/auth';
import { loadConfig } from '../../src/platform/config';
import { decodeErrorDetails } from '../../src/platform/errors';
import { createLogger } from '../../src/platform/logger';
import { connect, type Client } from '../../src/platform/rpc';
import { createTestDatabase } from './databases';

/** gRPC clients of the three services. */
export interface Clients {
  inventory: Client<typeof InventoryServiceDefinition>;
  orders: Client<typeof OrdersServiceDefinition>;
  procurement: Client<typeof ProcurementServiceDefinition>;
  /** The dead-letter tools every process serves. */
  operations: Client<typeof OutboxAdminServiceDefinition>;
}

/** The caller the harness's clients are by default. */
export const TEST_ADMIN: Caller = { sub: 'test-admin', roles: ['admin'] };

/** A Restock process on its own database, and gRPC clients of it that call as TEST_ADMIN. */
export interface TestApp extends Clients {
  app: App;
  databaseUrl: string;
  dataDir: string;
  /** Clients that call as caller (a token of the app's secret), or with no token at all (null); closed by stop(). */
  clientsAs(caller: Caller | null): Clients;
  stop(): Promise<void>;
}

/** AUTH_JWT_SECRET of the Restock processes tests spawn; childToken mints tokens of it. */
export const CHILD_JWT_SECRET = 'restock-test-child-processes-secret-0123456789';
let childAuth: Promise<Auth> | undefined;

/** Tokens (as TEST_ADMIN by default) that Restock processes started with CHILD_JWT_SECRET accept. */
export function childToken(caller: Caller = TEST_ADMIN): () => Promise<string> {
  childAuth ??= createAuth(loadConfig({ AUTH_JWT_SECRET: CHILD_JWT_SECRET }));
  let tokens: (() => Promise<string>) | undefined;
  return async () => {
    tokens ??= (await childAuth!).tokens(caller, 3600);
    return tokens();
  };
}

// The admin token of each test app by address, for callRaw.
const adminTokens = new Map<string, () => Promise<string>>();

/** Clients of the three services at address, each call sending token() when given, over transport (plaintext unless given). */
export function clientsOf(address: string, token?: () => Promise<string>, transport?: ChannelCredentials): Clients {
  return {
    inventory: connect(InventoryServiceDefinition, address, token, transport),
    orders: connect(OrdersServiceDefinition, address, token, transport),
    procurement: connect(ProcurementServiceDefinition, address, token, transport),
    operations: connect(OutboxAdminServiceDefinition, address, token, transport),
  };
}

/** Starts the real server on 127.0.0.1:0 against a fresh database cloned from the migrated template. */
export async function startTestApp(options: { env?: Record<string, string>; databaseUrl?: string } & AppOverrides = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-test-data-'));
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    OUTBOX_POLL_MS: '50',
    OUTBOX_BACKOFF_MS: '100',
    DB_POOL_SIZE: '20',
    CONSOLE_PORT: '0',
    ...options.env,
  });
  const app = await startApp(config, { ...options, log: options.log ?? createLogger(config.LOG_LEVEL) });
  const address = `127.0.0.1:${app.port}`;
  const adminToken = app.auth.tokens(TEST_ADMIN, 3600);
  adminTokens.set(address, adminToken);
  const clients = clientsOf(address, adminToken);
  const opened: Clients[] = [clients];
  return {
    app,
    databaseUrl,
    dataDir,
    ...clients,
    clientsAs(caller) {
      const more = clientsOf(address, caller ? app.auth.tokens(caller, 3600) : undefined);
      opened.push(more);
      return more;
    },
    async stop() {
      for (const client of opened.flatMap((set) => Object.values(set) as { close(): void }[])) client.close();
      adminTokens.delete(address);
      await app.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The gRPC error a call failed with (fails the test if it succeeded), with its decoded details. */
export async function grpcError(call: Promise<unknown>): Promise<ServiceError & ReturnType<typeof decodeErrorDetails>> {
  let error: ServiceError;
  try {
    await call;
  } catch (caught) {
    error = caught as ServiceError;
    return Object.assign(error, decodeErrorDetails(error));
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Waits until condition returns a truthy value (polling), or fails after timeoutMs. */
export async function waitFor<T>(condition: () => Promise<T> | T, { timeoutMs = 20_000, what = 'condition' } = {}): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A client that sends request bytes as they are to any method path (/package.Service/Method), as a client with its own encoder would. */
export interface RawClient {
  call(path: string, bytes: Uint8Array, options?: { timeoutMs?: number }): Promise<Buffer>;
  /**
   * Opens a server stream: its first message, its error status, or undefined when it is still open and silent
   * after openMs (then it is cancelled).
   */
  stream(path: string, bytes: Uint8Array, options: { openMs: number }): Promise<Buffer | undefined>;
  close(): void;
}

/** One connection for raw calls; every raw call's metadata is made here, with the admin token of the test app at address. */
export function rawClient(address: string): RawClient {
  const client = new GrpcClient(address, credentials.createInsecure());
  const identity = (value: Buffer) => value;
  const token = adminTokens.get(address);
  return {
    call: async (path, bytes, { timeoutMs = 30_000 } = {}) => {
      const metadata = new Metadata();
      if (token) metadata.set('authorization', `Bearer ${await token()}`);
      return new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(path, identity, identity, Buffer.from(bytes), metadata, { deadline: Date.now() + timeoutMs }, (error, response) =>
          error ? reject(error) : resolve(response as Buffer),
        ),
      );
    },
    stream: async (path, bytes, { openMs }) => {
      const metadata = new Metadata();
      if (token) metadata.set('authorization', `Bearer ${await token()}`);
      const call = client.makeServerStreamRequest(path, identity, identity, Buffer.from(bytes), metadata, {});
      let open: NodeJS.Timeout | undefined;
      return new Promise<Buffer | undefined>((resolve, reject) => {
        open = setTimeout(() => resolve(undefined), openMs);
        call.on('data', (message: Buffer) => resolve(message));
        call.on('error', reject);
        call.on('end', () => resolve(undefined));
      }).finally(() => {
        clearTimeout(open);
        call.cancel();
      });
    },
    close: () => client.close(),
  };
}

/** Sends request bytes as they are to a method path, with a client of its own. */
export function callRaw(address: string, path: string, bytes: Uint8Array): Promise<Buffer> {
  const client = rawClient(address);
  return client.call(path, bytes).finally(() => client.close());
}
