import { accessSync, constants } from 'node:fs';
import { z } from 'zod';

export const SERVICE_NAMES = ['inventory', 'orders', 'procurement'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** What SERVICES may name: the gRPC services, and the planners' web console (an HTTP client of their API). */
const HOSTED = [...SERVICE_NAMES, 'console'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const address = z.string().regex(/^[\w.-]+:\d{1,5}$/, 'expected host:port');
/** A PEM file that exists and can be read now, so a wrong path stops the start instead of the first handshake. */
const pemFile = z.string().min(1).refine(readable, 'no readable file at this path');

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Variables that only make sense together: [variable, what it needs, why]. */
const REQUIRES: [keyof z.infer<typeof variables>, keyof z.infer<typeof variables>, string][] = [
  ['TLS_CERT_FILE', 'TLS_KEY_FILE', 'a server certificate needs its private key'],
  ['TLS_KEY_FILE', 'TLS_CERT_FILE', 'a private key needs its server certificate'],
  ['TLS_CLIENT_CA_FILE', 'TLS_CERT_FILE', 'client certificates (mTLS) need the server to serve TLS'],
  ['PEER_TLS_CERT_FILE', 'PEER_TLS_KEY_FILE', 'a client certificate needs its private key'],
  ['PEER_TLS_KEY_FILE', 'PEER_TLS_CERT_FILE', 'a private key needs its client certificate'],
  ['PEER_TLS_CERT_FILE', 'PEER_TLS_CA_FILE', 'a client certificate is only sent over TLS to peers'],
  ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'the console signs in at the provider as a registered client'],
  ['OIDC_ISSUER', 'OIDC_CLIENT_SECRET', 'the console signs in at the provider as a registered client'],
  ['OIDC_CLIENT_ID', 'OIDC_ISSUER', 'a client id belongs to an OpenID Connect provider'],
  ['OIDC_CLIENT_SECRET', 'OIDC_ISSUER', 'a client secret belongs to an OpenID Connect provider'],
];

/** The environment variables Restock reads, with their defaults. */
const variables = z.object({
  GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  GRPC_PORT: port.default(50051),
  /** The largest message the server receives or sends; a larger one is refused with RESOURCE_EXHAUSTED. */
  GRPC_MAX_MESSAGE_BYTES: positiveInt.default(4 * 1024 * 1024),
  /** A connection with no call in flight for this long is closed (the client reconnects when it needs to). */
  GRPC_IDLE_TIMEOUT_MS: positiveInt.default(300_000),
  /** The server pings a connection this often, and drops it when no answer comes within GRPC_KEEPALIVE_TIMEOUT_MS. */
  GRPC_KEEPALIVE_TIME_MS: positiveInt.default(120_000),
  GRPC_KEEPALIVE_TIMEOUT_MS: positiveInt.default(20_000),
  /** Calls in flight at once on one connection; more wait for a free stream. */
  GRPC_MAX_CONCURRENT_STREAMS: positiveInt.default(100),
  /** Server reflection (grpcurl's `list`/`describe`); health and reflection are the only calls that need no token. */
  GRPC_REFLECTION: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** Serve TLS with this certificate (chain) and key, both PEM; unset: plaintext. */
  TLS_CERT_FILE: pemFile.optional(),
  TLS_KEY_FILE: pemFile.optional(),
  /** Require client certificates signed by this CA (mTLS); a verified certificate makes its holder a `service` caller. */
  TLS_CLIENT_CA_FILE: pemFile.optional(),
  /** Call peers over TLS, trusting this CA; with PEER_TLS_CERT_FILE / PEER_TLS_KEY_FILE, present that client certificate. */
  PEER_TLS_CA_FILE: pemFile.optional(),
  PEER_TLS_CERT_FILE: pemFile.optional(),
  PEER_TLS_KEY_FILE: pemFile.optional(),
  /** HS256 key of bearer tokens (at least 32 bytes). Unset: a secret generated once and kept in DATA_DIR/jwt-secret. */
  AUTH_JWT_SECRET: z.string().refine((secret) => Buffer.byteLength(secret) >= 32, 'must be at least 32 bytes').optional(),
  /** An identity provider's keys (RS256/ES256), fetched from a URL or read from a file; HS256 tokens of the secret are accepted too. */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  /** When set, a token's `iss` / `aud` must match. */
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres://…').optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'expected smtp://user:pass@host:port').optional(),
  MAIL_FROM: z.string().min(3).default('Restock Purchasing <purchasing@localhost>'),
  /** Sender of the emails to customers (order confirmations, ETA news, shipping, cancellations); MAIL_FROM sends to suppliers. */
  CUSTOMER_MAIL_FROM: z.string().min(3).default('Restock Customer Service <orders@localhost>'),
  DATA_DIR: z.string().min(1).default('./var'),
  SERVICES: z
    .string()
    .default(HOSTED.join(','))
    .transform((value) => value.split(',').map((name) => name.trim()).filter(Boolean))
    .pipe(z.array(z.enum(HOSTED)).min(1)),
  /** Port of the console (HTTP) on GRPC_HOST's interface, when SERVICES includes console; 0 = any free port. */
  CONSOLE_PORT: port.default(8080),
  /** The console's address as browsers reach it (e.g. https://restock.example.com behind a proxy): OIDC redirects, Secure cookies. */
  CONSOLE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The console signs planners in through this OpenID Connect provider (with OIDC_CLIENT_ID / OIDC_CLIENT_SECRET); unset: a printed local sign-in link. */
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** HMAC key of the links in emails that need no account (supplier PO pages, customer order pages), at least 32 bytes. Unset: generated once and kept in DATA_DIR/link-secret. */
  LINK_SIGNING_SECRET: z.string().refine((secret) => Buffer.byteLength(secret) >= 32, 'must be at least 32 bytes').optional(),
  /** Days a supplier's PO link works; a resend can revoke it earlier by issuing a new one. */
  SUPPLIER_LINK_TTL_DAYS: positiveInt.default(60),
  /** Days a customer's order link works (the link in every customer email: see the order, cancel waiting units). */
  CUSTOMER_LINK_TTL_DAYS: positiveInt.default(90),
  /** Replies to PO emails go here (Reply-To); unset: to MAIL_FROM. */
  PURCHASING_REPLY_TO: z.string().min(3).optional(),
  /** Where suppliers deliver, printed on POs and their pages; unset: not printed. */
  SHIP_TO_ADDRESS: z.string().min(1).optional(),
  /** Who suppliers talk to about a PO (name, email, phone), printed on POs and their pages; unset: MAIL_FROM. */
  BUYER_CONTACT: z.string().min(1).optional(),
  /** Business days (Mon-Fri in the supplier's time zone) a sent PO may stay unconfirmed before its supplier is reminded. */
  SUPPLIER_CONFIRM_DAYS: positiveInt.default(2),
  /** Reminders to confirm a PO at most; after the last one the PO needs a planner's attention. */
  SUPPLIER_REMINDERS: z.coerce.number().int().min(0).default(2),
  /** The ID token claim that lists a person's roles (a dotted path such as realm_access.roles for nested claims). */
  OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  INVENTORY_ADDR: address.optional(),
  ORDERS_ADDR: address.optional(),
  PROCUREMENT_ADDR: address.optional(),
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  DB_POOL_SIZE: positiveInt.default(10),
  /** How often the database is probed (SELECT 1); health reports NOT_SERVING while it does not answer. */
  DB_PROBE_INTERVAL_MS: positiveInt.default(1000),
  /** A probe (connect and SELECT 1) not answered within this long counts as the database unreachable. */
  DB_PROBE_TIMEOUT_MS: positiveInt.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTBOX_POLL_MS: positiveInt.default(500),
  OUTBOX_MAX_ATTEMPTS: positiveInt.default(12),
  OUTBOX_BACKOFF_MS: positiveInt.default(1000),
  /** A delivery still running after this long counts as a failed attempt (and is retried). */
  OUTBOX_DELIVERY_TIMEOUT_MS: positiveInt.default(30_000),
  /** How long a claimed message stays leased to one process: past it (the process died), another claims it again. */
  OUTBOX_LEASE_MS: positiveInt.default(60_000),
  /** How often a WatchOrderEvents stream that has caught up looks for new events (one indexed read per stream). */
  ORDER_EVENTS_POLL_MS: positiveInt.default(250),
  SCHEDULER_TICK: z.string().min(1).default('* * * * *'),
  /** Days between "still waiting" emails to customers with backordered lines. */
  STILL_WAITING_DAYS: positiveInt.default(7),
  /** Days delivered outbox messages and idempotency keys are kept; a retry older than this is taken as new. */
  RETENTION_DAYS: positiveInt.default(30),
  /** Export traces over OTLP/HTTP to `<this>/v1/traces` (e.g. http://localhost:4318); unset: tracing is off (nothing loaded). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** `service.name` of the exported spans. */
  OTEL_SERVICE_NAME: z.string().min(1).default('restock'),
  /** Where Prometheus scrapes `/metrics`; METRICS_PORT=off serves no endpoint and records no RPC metrics (0: any free port). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: z.union([z.literal('off').transform(() => null), port]).default(9464),
});

const HOUR_MS = 60 * 60 * 1000;

/** The environment variables Restock reads, with their defaults and the checks across variables. */
export const configSchema = variables
  .refine((config) => config.OUTBOX_LEASE_MS > config.OUTBOX_DELIVERY_TIMEOUT_MS, {
    path: ['OUTBOX_LEASE_MS'],
    message: 'must be longer than OUTBOX_DELIVERY_TIMEOUT_MS (a lease must outlast a delivery)',
  })
  // an outbox message is retried for at most OUTBOX_MAX_ATTEMPTS backoffs of at most an hour each
  .refine((config) => config.RETENTION_DAYS * 24 * HOUR_MS > config.OUTBOX_MAX_ATTEMPTS * HOUR_MS, {
    path: ['RETENTION_DAYS'],
    message: 'must be longer than the outbox retry window (OUTBOX_MAX_ATTEMPTS hours)',
  })
  .superRefine((config, context) => {
    for (const [variable, needed, why] of REQUIRES) {
      if (config[variable] !== undefined && config[needed] === undefined) context.addIssue({ code: 'custom', path: [variable], message: `needs ${needed} (${why})` });
    }
  });

/** The configuration: SERVICES lists the gRPC services this process hosts, CONSOLE whether it serves the web console too. */
export type Config = Omit<z.infer<typeof configSchema>, 'SERVICES'> & { SERVICES: ServiceName[]; CONSOLE: boolean };

/** ConfigError names every variable that has a bad value. */
export class ConfigError extends Error {}

/** Reads and validates the configuration; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const { SERVICES, ...config } = parsed.data;
  return { ...config, SERVICES: SERVICES.filter((name): name is ServiceName => name !== 'console'), CONSOLE: SERVICES.includes('console') };
}
