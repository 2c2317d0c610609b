import path from 'node:path';
import { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { startConsole, type ConsoleServer } from './console/server';
import { OutboxAdminServiceDefinition } from './gen/restock/operations/v1/operations_service';
import { MODULES, openAndMigrate } from './modules';
import { createAuth, serviceCaller, type Auth } from './platform/auth';
import { CallGate } from './platform/call-gate';
import { systemClock, type Clock } from './platform/clock';
import type { Config, ServiceName } from './platform/config';
import { startDatabase } from './platform/database';
import { DatabaseHealth, redacted } from './platform/database-health';
import { deadLetterHandlers } from './platform/dead-letters';
import { createLogger, type Logger } from './platform/logger';
import { createMailer, EMAIL, type Mailer } from './platform/mail';
import { Metrics, platformGauges, serveMetrics, type MeasuredService } from './platform/metrics';
import type { Orm } from './platform/orm';
import { OutboxDispatcher } from './platform/outbox';
import { connectPeers } from './platform/peers';
import { RPC_ROLES } from './platform/roles';
import { bindHandlers, grpcDefinition } from './platform/rpc';
import { retentionTask } from './platform/retention.task';
import { startScheduler, taskRuns, type ScheduledTask } from './platform/scheduler';
import { serverOptions } from './platform/server-options';
import { linkSecret, SignedLinks } from './platform/signed-links';
import type { Peers } from './platform/service-module';
import { delivery } from './platform/topics';
import { peerCredentials, serverCredentials } from './platform/transport';

const PROTO_ROOT = path.resolve(__dirname, '../proto');
const SHUTDOWN_GRACE_MS = 10_000;

/** A running Restock process. */
export interface App {
  port: number;
  /** The port of the planners' console, when SERVICES includes console. */
  consolePort?: number;
  /** Where GET /metrics is served (undefined with METRICS_PORT=off). */
  metricsPort?: number;
  orms: Partial<Record<ServiceName, Orm>>;
  dispatchers: Partial<Record<ServiceName, OutboxDispatcher>>;
  peers: Peers;
  mailer: Mailer;
  log: Logger;
  /** Signs and checks the links in emails that need no account. */
  links: SignedLinks;
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
  // one registry per app, so that apps in one process (tests) do not share series
  const metrics = config.METRICS_PORT === null ? undefined : new Metrics(log);
  let port = config.GRPC_PORT;
  const addressOf = (service: ServiceName) => config[`${service.toUpperCase() as Uppercase<ServiceName>}_ADDR`] ?? `127.0.0.1:${port}`;
  const peers = connectPeers(
    addressOf,
    auth.tokens(serviceCaller(config.SERVICES.join('+'))),
    peerCredentials(config),
    metrics?.rpc,
  );
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, customerFrom: config.CUSTOMER_MAIL_FROM, mailDir: path.resolve(config.DATA_DIR, 'mail') });
  // links in emails point at the console as browsers reach it: CONSOLE_PUBLIC_URL, or where it listens
  let web: ConsoleServer | undefined;
  const links = new SignedLinks(await linkSecret(config), () => config.CONSOLE_PUBLIC_URL ?? web?.url ?? `http://${config.GRPC_HOST}:${config.CONSOLE_PORT}`);
  const server = new Server(serverOptions(config));
  // every service of the process has its schema in the one database: its health is each service's
  const databaseHealth = new DatabaseHealth({ url: database.url, log, intervalMs: config.DB_PROBE_INTERVAL_MS, timeoutMs: config.DB_PROBE_TIMEOUT_MS });
  // NOT_SERVING until the start-up work is done, while the database is unreachable, and once stopping
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  let ready = false;
  let stopping = false;
  const reportHealth = () => {
    const status = ready && !stopping && databaseHealth.reachable ? 'SERVING' : 'NOT_SERVING';
    for (const name of ['', ...modules.map((m) => m.descriptor.fullName)]) health.setStatus(name, status);
  };
  const gate = new CallGate(auth);
  const dispatchers: Partial<Record<ServiceName, OutboxDispatcher>> = {};
  const tasks: ScheduledTask[] = [];
  const onServing: (() => Promise<void>)[] = [];
  const measured: MeasuredService[] = [];
  for (const module of modules) {
    const orm = orms[module.name]!;
    const parts = module.create({ orm, peers, mailer, clock, log: log.child({ service: module.name }), config, links });
    const moduleTasks = [...parts.tasks, retentionTask({ orm, schema: module.schema.schema, days: config.RETENTION_DAYS, clock, log, retained: parts.retained })];
    const definition = grpcDefinition(module.descriptor);
    server.addService(definition, gate.wrap(bindHandlers(module.descriptor, parts.handlers, log, { auth, roles: RPC_ROLES[module.name] }, metrics?.rpc, gate.stopping), definition));
    health.setStatus(module.descriptor.fullName, 'NOT_SERVING');
    const deliveries = [delivery(EMAIL, (email, key) => mailer.send(email, key)), taskRuns(moduleTasks), ...parts.deliveries];
    dispatchers[module.name] = new OutboxDispatcher({
      orm,
      schema: module.schema.schema,
      deliveries,
      log,
      pollMs: config.OUTBOX_POLL_MS,
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      backoffMs: config.OUTBOX_BACKOFF_MS,
      deliveryTimeoutMs: config.OUTBOX_DELIVERY_TIMEOUT_MS,
      leaseMs: config.OUTBOX_LEASE_MS,
      database: databaseHealth,
    });
    tasks.push(...moduleTasks.map((task) => ({ task, orm, schema: module.schema.schema })));
    if (parts.onServing) onServing.push(parts.onServing);
    if (metrics) parts.metrics?.(metrics);
    measured.push({ name: module.name, schema: module.schema.schema, orm, topics: deliveries.map((d) => d.topic) });
  }
  if (metrics) platformGauges(metrics, measured);
  // the dead-letter tools, over the outboxes of the services hosted here
  const outboxes = Object.fromEntries(modules.map((m) => [m.name, { orm: orms[m.name]!, schema: m.schema.schema }]));
  const adminDefinition = grpcDefinition(OutboxAdminServiceDefinition);
  server.addService(adminDefinition, gate.wrap(bindHandlers(OutboxAdminServiceDefinition, deadLetterHandlers(outboxes), log, { auth, roles: RPC_ROLES.operations }, metrics?.rpc), adminDefinition));
  health.addToServer(server);
  if (config.GRPC_REFLECTION) {
    const protoFiles = [...modules.map((m) => protoFileOf(m.descriptor.fullName)), 'restock/operations/v1/operations_service.proto'];
    new ReflectionService(loadSync(protoFiles, { includeDirs: [PROTO_ROOT], keepCase: true })).addToServer(server);
  }
  const metricsServer = metrics && config.METRICS_PORT !== null ? await serveMetrics(metrics, config.METRICS_HOST, config.METRICS_PORT) : undefined;
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.GRPC_HOST}:${config.GRPC_PORT}`, serverCredentials(config), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const background = overrides.background ?? true;
  if (background) for (const dispatcher of Object.values(dispatchers)) dispatcher.start();
  const scheduler = background ? startScheduler(tasks, log, databaseHealth) : { stop: async () => {} };
  databaseHealth.onChange(reportHealth);
  databaseHealth.start();
  const startupWork = Promise.all(
    (background ? onServing : []).map((work) => work().catch((error: unknown) => log.warn({ err: error }, 'start-up work failed; its scheduled task retries it'))),
  );
  // ready (SERVING) once migrated, which is done, and the start-up work (recovery) is
  const markReady = () => {
    ready = true;
    reportHealth();
  };
  if (background && onServing.length > 0) void startupWork.then(markReady);
  else markReady();
  log.info({ port, metricsPort: metricsServer?.port, services: config.SERVICES, database: redacted(database.url) }, 'restock is serving');
  // the console calls the API like any client, as the signed-in person, over the same addresses and transport as peers
  web = config.CONSOLE ? await startConsole({ config, auth, log: log.child({ service: 'console' }), addressOf, transport: peerCredentials(config) }) : undefined;
  if (web?.signInUrl && config.LOG_LEVEL !== 'silent') process.stdout.write(`Console: ${web.signInUrl}\n`);

  return {
    port,
    consolePort: web?.port,
    metricsPort: metricsServer?.port,
    orms,
    dispatchers,
    peers,
    mailer,
    log,
    links,
    auth,
    // No accepted call is lost: clients' new calls are refused while the calls taken finish (their calls to
    // this process's own services still go through), then background work ends, and only then the server
    // closes (tryShutdown would refuse those peer calls too) and, last, the database.
    async stop() {
      stopping = true;
      reportHealth();
      await web?.stop();
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
      await metricsServer?.close();
      await databaseHealth.stop();
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
