import path from 'node:path';
import { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { OutboxAdminServiceDefinition } from './gen/restock/operations/v1/operations_service';
import { MODULES, openAndMigrate } from './modules';
import { createAuth, serviceCaller, type Auth } from './platform/auth';
import { CallGate } from './platform/call-gate';
import { systemClock, type Clock } from './platform/clock';
import type { Config, ServiceName } from './platform/config';
import { startDatabase } from './platform/database';
import { deadLetterHandlers } from './platform/dead-letters';
import { createLogger, type Logger } from './platform/logger';
import { createMailer, EMAIL, type Mailer } from './platform/mail';
import type { Orm } from './platform/orm';
import { OutboxDispatcher } from './platform/outbox';
import { connectPeers } from './platform/peers';
import { RPC_ROLES } from './platform/roles';
import { bindHandlers, grpcDefinition } from './platform/rpc';
import { retentionTask } from './platform/retention.task';
import { startScheduler, taskRuns, type ScheduledTask } from './platform/scheduler';
import { serverOptions } from './platform/server-options';
import type { Peers } from './platform/service-module';
import { delivery } from './platform/topics';
import { peerCredentials, serverCredentials } from './platform/transport';

const PROTO_ROOT = path.resolve(__dirname, '../proto');
const SHUTDOWN_GRACE_MS = 10_000;

/** A running Restock process. */
export interface App {
  port: number;
  orms: Partial<Record<ServiceName, Orm>>;
  dispatchers: Partial<Record<ServiceName, OutboxDispatcher>>;
  peers: Peers;
  mailer: Mailer;
  log: Logger;
  /** Verifies callers' tokens; mints tokens with the HS256 secret (peers' and tests'). */
  auth: Auth;
  stop(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  log?: Logger;
  /** Run outbox dispatchers and scheduled tasks (default true); tests may drive them by hand. */
  background?: boolean;
}

/** Builds and starts everything one process runs: database, ORMs, gRPC server, outbox and scheduler. */
export async function startApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.LOG_LEVEL);
  const clock = overrides.clock ?? systemClock;
  const database = await startDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, port: config.EMBEDDED_POSTGRES_PORT, log });
  const modules = config.SERVICES.map((name) => MODULES[name]);
  const orms = await openAndMigrate(database.url, { services: config.SERVICES, poolSize: config.DB_POOL_SIZE, log });

  const auth = await createAuth(config);
  let port = config.GRPC_PORT;
  const peers = connectPeers(
    (service) => config[`${service.toUpperCase() as Uppercase<ServiceName>}_ADDR`] ?? `127.0.0.1:${port}`,
    auth.tokens(serviceCaller(config.SERVICES.join('+'))),
    peerCredentials(config),
  );
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, mailDir: path.resolve(config.DATA_DIR, 'mail') });
  const server = new Server(serverOptions(config));
  const gate = new CallGate(auth);
  const health = new HealthImplementation({ '': 'SERVING' });
  const dispatchers: Partial<Record<ServiceName, OutboxDispatcher>> = {};
  const tasks: ScheduledTask[] = [];
  const onServing: (() => Promise<void>)[] = [];
  for (const module of modules) {
    const orm = orms[module.name]!;
    const parts = module.create({ orm, peers, mailer, clock, log: log.child({ service: module.name }), config });
    const moduleTasks = [...parts.tasks, retentionTask({ orm, schema: module.schema.schema, days: config.RETENTION_DAYS, clock, log })];
    server.addService(grpcDefinition(module.descriptor), gate.wrap(bindHandlers(module.descriptor, parts.handlers, log, { auth, roles: RPC_ROLES[module.name] })));
    health.setStatus(module.descriptor.fullName, 'SERVING');
    dispatchers[module.name] = new OutboxDispatcher({
      orm,
      schema: module.schema.schema,
      deliveries: [delivery(EMAIL, (email, key) => mailer.send(email, key)), taskRuns(moduleTasks), ...parts.deliveries],
      log,
      pollMs: config.OUTBOX_POLL_MS,
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      backoffMs: config.OUTBOX_BACKOFF_MS,
      deliveryTimeoutMs: config.OUTBOX_DELIVERY_TIMEOUT_MS,
      leaseMs: config.OUTBOX_LEASE_MS,
    });
    tasks.push(...moduleTasks.map((task) => ({ task, orm, schema: module.schema.schema })));
    if (parts.onServing) onServing.push(parts.onServing);
  }
  // the dead-letter tools, over the outboxes of the services hosted here
  const outboxes = Object.fromEntries(modules.map((m) => [m.name, { orm: orms[m.name]!, schema: m.schema.schema }]));
  server.addService(grpcDefinition(OutboxAdminServiceDefinition), gate.wrap(bindHandlers(OutboxAdminServiceDefinition, deadLetterHandlers(outboxes), log, { auth, roles: RPC_ROLES.operations })));
  health.addToServer(server);
  if (config.GRPC_REFLECTION) {
    const protoFiles = [...modules.map((m) => protoFileOf(m.descriptor.fullName)), 'restock/operations/v1/operations_service.proto'];
    new ReflectionService(loadSync(protoFiles, { includeDirs: [PROTO_ROOT], keepCase: true })).addToServer(server);
  }
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.GRPC_HOST}:${config.GRPC_PORT}`, serverCredentials(config), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const background = overrides.background ?? true;
  if (background) for (const dispatcher of Object.values(dispatchers)) dispatcher.start();
  const scheduler = background ? startScheduler(tasks, log) : { stop: async () => {} };
  const startupWork = Promise.all(
    (background ? onServing : []).map((work) => work().catch((error: unknown) => log.warn({ err: error }, 'start-up work failed; its scheduled task retries it'))),
  );
  log.info({ port, services: config.SERVICES, database: database.url.replace(/:[^:@/]*@/, ':***@') }, 'restock is serving');

  return {
    port,
    orms,
    dispatchers,
    peers,
    mailer,
    log,
    auth,
    // No accepted call is lost: clients' new calls are refused while the calls taken finish (their calls to
    // this process's own services still go through), then background work ends, and only then the server
    // closes (tryShutdown would refuse those peer calls too) and, last, the database.
    async stop() {
      health.setStatus('', 'NOT_SERVING');
      await gate.drain(SHUTDOWN_GRACE_MS);
      await scheduler.stop();
      await startupWork;
      await Promise.all(Object.values(dispatchers).map((dispatcher) => dispatcher.stop()));
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      peers.close();
      mailer.close();
      for (const orm of Object.values(orms)) await orm.close();
      await database.stop();
      log.info('restock stopped');
    },
  };
}

/** restock.orders.v1.OrdersService → restock/orders/v1/orders_service.proto */
function protoFileOf(serviceName: string): string {
  const [, service, version] = serviceName.split('.');
  return `restock/${service}/${version}/${service}_service.proto`;
}
