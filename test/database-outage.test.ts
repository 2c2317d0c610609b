import { Writable } from 'node:stream';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import { Client } from 'pg';
import { createDatabaseIfMissing } from '../src/platform/database';
import { decodeErrorDetails } from '../src/platform/errors';
import { freePort } from './support/global-setup';
import { CHILD_JWT_SECRET, childToken, clientsOf, startTestApp, waitFor, type Clients, type TestApp } from './support/harness';
import { startPostgresProcess, type PostgresProcess } from './support/postgres-process';
import { healthStatus, spawnRestock, waitUntilServing, type RestockProcess } from './support/process';

// PostgreSQL is killed for real (SIGKILL of its postmaster) while clients place orders and read, and comes
// back: no call may answer anything but OK or UNAVAILABLE (with a retry delay), no order answered OK may be
// lost, health says NOT_SERVING while it is down and SERVING after, calls succeed again within 10 s of
// PostgreSQL accepting connections (the bound the operators were promised), and the log tells the outage
// once, not once per attempt.

jest.setTimeout(300_000);

const SERVICES = ['restock.inventory.v1.InventoryService', 'restock.orders.v1.OrdersService', 'restock.procurement.v1.ProcurementService'];
const SKUS = ['OUT-A', 'OUT-B', 'OUT-C', 'OUT-D'];
const RECOVERY_BOUND_MS = 10_000;

interface Outcome {
  rpc: string;
  code: number;
  reason?: string;
  retryDelayMs?: number;
  started: number;
  ended: number;
}

/**
 * Clients placing orders (each retried with its request id after UNAVAILABLE, as a client should, until it
 * is answered) and reading them and the stock, until stop().
 */
function startLoad(clients: Clients, { placers = 6, readers = 2 } = {}) {
  const outcomes: Outcome[] = [];
  const placed = new Map<string, string>(); // request id → order id, for every order answered OK
  let running = true;
  let next = 0;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const record = async <T>(rpc: string, call: () => Promise<T>): Promise<T | undefined> => {
    const started = Date.now();
    try {
      const response = await call();
      outcomes.push({ rpc, code: status.OK, started, ended: Date.now() });
      return response;
    } catch (error) {
      const details = decodeErrorDetails(error as ServiceError);
      outcomes.push({ rpc, code: (error as ServiceError).code ?? -1, reason: details.reason, retryDelayMs: details.retryDelayMs, started, ended: Date.now() });
      return undefined;
    }
  };
  const placer = async (id: number) => {
    while (running) {
      const requestId = `outage-${id}-${next++}`;
      const sku = SKUS[next % SKUS.length];
      const request = { requestId, customerId: `cust-${id}`, customerEmail: `cust-${id}@example.com`, lines: [{ sku, quantity: 1 }] };
      // an order a client started is sent until answered, even after stop(): none is left half asked
      for (;;) {
        const response = await record('PlaceOrder', () => clients.orders.placeOrder(request, { timeoutMs: 60_000 }));
        if (response) {
          placed.set(requestId, response.order!.orderId);
          break;
        }
        const last = outcomes[outcomes.length - 1];
        if (last.code !== status.UNAVAILABLE) break; // recorded: the test fails on it
        await pause(200);
      }
    }
  };
  const reader = async () => {
    while (running) {
      const ids = [...placed.values()];
      if (ids.length > 0) await record('GetOrder', () => clients.orders.getOrder({ orderId: ids[Math.floor(Math.random() * ids.length)] }));
      await record('GetStock', () => clients.inventory.getStock({ sku: SKUS[0] }));
      await pause(50);
    }
  };
  const workers = [...Array.from({ length: placers }, (_, i) => placer(i)), ...Array.from({ length: readers }, reader)];
  return {
    outcomes,
    placed,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Polls the server's health ('' and each service) until stop(): what it said, when. */
function watchHealth(address: string) {
  const seen: { at: number; overall: string; services: string[] }[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const at = Date.now();
      const [overall, ...services] = await Promise.all(['', ...SERVICES].map((service) => healthStatus(address, service).catch(() => 'NO ANSWER')));
      seen.push({ at, overall, services });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await done;
    },
  };
}

async function seed(clients: Clients): Promise<void> {
  for (const sku of SKUS) {
    await clients.inventory.upsertProduct({ product: { sku, name: sku, unitPrice: { currencyCode: 'EUR', units: 5, nanos: 0 }, backorderPolicy: { acceptBackorders: true } } });
    await clients.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: 1_000_000, reason: 'seed' });
  }
}

/** The PID of the postmaster running on the data directory. */
async function postmasterPid(dataDirectory: string): Promise<number> {
  return Number((await readFile(path.join(dataDirectory, 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

/** Whether a new connection to url is accepted and answers. */
async function accepts(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Log lines (pino JSON) whose message is msg. */
function linesWith(lines: string[], msg: string): Record<string, unknown>[] {
  return lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

/** What every outage test checks once the load has stopped, PostgreSQL having come back at backAt. */
async function expectOutageSurvived(
  load: ReturnType<typeof startLoad>,
  health: ReturnType<typeof watchHealth>,
  { killedAt, backAt, clients, callsSeeOutage }: { killedAt: number; backAt: number; clients: Clients; callsSeeOutage: boolean },
): Promise<void> {
  // only OK, or UNAVAILABLE with a retry delay: never INTERNAL, UNKNOWN or a deadline
  const codes = new Set(load.outcomes.map((o) => status[o.code]));
  expect([...codes].sort()).toEqual(callsSeeOutage ? ['OK', 'UNAVAILABLE'] : expect.arrayContaining(['OK']));
  expect([...codes].every((code) => code === 'OK' || code === 'UNAVAILABLE')).toBe(true);
  const unavailable = load.outcomes.filter((o) => o.code === status.UNAVAILABLE);
  expect(unavailable.every((o) => (o.retryDelayMs ?? 0) > 0)).toBe(true);
  if (callsSeeOutage) expect(unavailable.some((o) => o.reason === 'DATABASE_UNAVAILABLE')).toBe(true);
  else expect(unavailable.every((o) => o.reason === 'DATABASE_UNAVAILABLE')).toBe(true);

  // calls succeed again within the bound: the first call begun after PostgreSQL was back that answered OK
  const recovered = load.outcomes.filter((o) => o.code === status.OK && o.started >= backAt).sort((a, b) => a.ended - b.ended)[0];
  expect(recovered).toBeDefined();
  expect(recovered.ended - backAt).toBeLessThan(RECOVERY_BOUND_MS);

  // health: NOT_SERVING (overall and every service) while down, SERVING again after
  const down = health.seen.filter((s) => s.at > killedAt && s.at < backAt && s.overall === 'NOT_SERVING' && s.services.every((x) => x === 'NOT_SERVING'));
  expect(down.length).toBeGreaterThan(0);
  const last = health.seen[health.seen.length - 1];
  expect([last.overall, ...last.services]).toEqual(['SERVING', 'SERVING', 'SERVING', 'SERVING']);

  // every order answered OK is there, as it was answered
  expect(load.placed.size).toBeGreaterThan(0);
  for (const [requestId, orderId] of load.placed) {
    const { order } = await clients.orders.getOrder({ orderId });
    expect(order?.orderId).toBe(orderId);
    // and asking again with its request id gives the same order, not a second one
    const again = await clients.orders.placeOrder({ requestId, customerId: order!.customerId, customerEmail: order!.customerEmail, lines: order!.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) });
    expect(again.order?.orderId).toBe(orderId);
  }
}

/** Runs load against clients, kills PostgreSQL with kill(), brings it back with revive() (resolving when it accepts connections), and checks. */
async function killUnderLoad(options: {
  clients: Clients;
  address: string;
  kill: () => Promise<unknown>;
  revive: () => Promise<unknown>;
  /**
   * Whether a call must be seen failing (UNAVAILABLE) during the outage. A server the process restarts itself
   * may be back within a second, inside the clients' own retries of UNAVAILABLE: then no call fails, and the
   * outage shows in health alone.
   */
  callsSeeOutage?: boolean;
}): Promise<{ killedAt: number; backAt: number }> {
  const load = startLoad(options.clients);
  const health = watchHealth(options.address);
  try {
    await waitFor(() => load.placed.size >= 20, { timeoutMs: 60_000, what: 'orders placed before the outage' });
    const killedAt = Date.now();
    await options.kill();
    // down: health says so, and calls answer UNAVAILABLE
    await waitFor(() => health.seen.some((s) => s.at > killedAt && s.overall === 'NOT_SERVING'), { timeoutMs: 30_000, what: 'health to say NOT_SERVING' });
    const callsSeeOutage = options.callsSeeOutage ?? true;
    if (callsSeeOutage) await waitFor(() => load.outcomes.some((o) => o.started > killedAt && o.code !== status.OK), { timeoutMs: 30_000, what: 'a call to fail (UNAVAILABLE)' });
    await options.revive();
    const backAt = Date.now();
    await waitFor(() => load.outcomes.some((o) => o.started >= backAt && o.code === status.OK && o.rpc === 'PlaceOrder'), { timeoutMs: 60_000, what: 'an order placed after the outage' });
    await waitFor(() => health.seen.some((s) => s.at > backAt && s.overall === 'SERVING'), { timeoutMs: 30_000, what: 'health to say SERVING again' });
    const placedBack = load.placed.size;
    await waitFor(() => load.placed.size >= placedBack + 10, { timeoutMs: 60_000, what: 'more orders placed on the healed server' });
    await load.stop();
    await health.stop();
    await expectOutageSurvived(load, health, { killedAt, backAt, clients: options.clients, callsSeeOutage });
    return { killedAt, backAt };
  } finally {
    await load.stop();
    await health.stop();
  }
}

/** A log that keeps its lines (pino JSON), for counting. */
function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  return { lines, log: pino({ level: 'info' }, stream) };
}

describe('a PostgreSQL server of its own (DATABASE_URL) killed under load', () => {
  let directory: string;
  let server: PostgresProcess | undefined;
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.stop();
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers UNAVAILABLE and NOT_SERVING while it is down, loses no order, and serves again within 10 s of its return', async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'restock-outage-pg-'));
    await chmod(directory, 0o755); // the postgres user (when running as root) must reach its data directory
    const dataDirectory = path.join(directory, 'data');
    const port = await freePort();
    // the test kills and restarts it itself: no supervisor restarts it behind the test's back
    server = await startPostgresProcess(dataDirectory, port);
    const url = server.url('restock');
    await createDatabaseIfMissing(url);
    const { lines, log } = memoryLog();
    t = await startTestApp({ databaseUrl: url, log });
    await seed(t);

    const { backAt } = await killUnderLoad({
      clients: t,
      address: `127.0.0.1:${t.app.port}`,
      kill: async () => process.kill(await postmasterPid(dataDirectory), 'SIGKILL'),
      revive: async () => {
        await new Promise((resolve) => setTimeout(resolve, 2000)); // stay down a while, under load
        await server!.stop(); // the process whose server was killed
        server = await startPostgresProcess(dataDirectory, port);
        await waitFor(() => accepts(url), { what: 'PostgreSQL to accept connections' });
      },
    });
    expect(backAt).toBeGreaterThan(0);

    // one line when the database went, one when it came back; nothing per attempt from the loops
    expect(linesWith(lines, 'database unreachable')).toHaveLength(1);
    expect(linesWith(lines, 'database reachable again')).toHaveLength(1);
    expect(linesWith(lines, 'outbox dispatcher error')).toEqual([]);
    expect(linesWith(lines, 'could not claim a scheduler tick')).toEqual([]);
    expect(linesWith(lines, 'internal error')).toEqual([]);
  });
});

describe('the embedded PostgreSQL killed under load', () => {
  let dataDir: string;
  let restock: RestockProcess | undefined;
  afterAll(async () => {
    if (restock && restock.child.exitCode === null) {
      restock.child.kill('SIGTERM');
      await restock.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is restarted by the process itself, which serves again within 10 s of its return and loses no order', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-outage-embedded-'));
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const pgPort = await freePort();
    restock = spawnRestock({
      DATA_DIR: dataDir,
      GRPC_PORT: String(port),
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      AUTH_JWT_SECRET: CHILD_JWT_SECRET,
      OUTBOX_POLL_MS: '50',
      OUTBOX_BACKOFF_MS: '100',
    });
    const address = `127.0.0.1:${port}`;
    await waitUntilServing(restock, address);
    const clients = clientsOf(address, childToken());
    const dataDirectory = path.join(dataDir, 'postgres');
    const password = (await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
    const url = `postgres://restock:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/restock`;
    try {
      await seed(clients);
      const killed = await postmasterPid(dataDirectory);
      await killUnderLoad({
        clients,
        address,
        kill: async () => process.kill(killed, 'SIGKILL'),
        // nobody but the process brings it back, within its restart backoff (0.25 s first): calls may not notice
        callsSeeOutage: false,
        revive: () => waitFor(async () => (await postmasterPid(dataDirectory).catch(() => killed)) !== killed && (await accepts(url)), { timeoutMs: 120_000, what: 'PostgreSQL to be restarted' }),
      });
      expect(restock.child.exitCode).toBeNull();

      const lines = restock.output().split('\n');
      expect(linesWith(lines, 'embedded PostgreSQL exited; restarting it')).toHaveLength(1);
      expect(linesWith(lines, 'embedded PostgreSQL restarted')).toHaveLength(1);
      expect(linesWith(lines, 'database unreachable')).toHaveLength(1);
      expect(linesWith(lines, 'database reachable again')).toHaveLength(1);
      expect(linesWith(lines, 'outbox dispatcher error')).toEqual([]);
      expect(linesWith(lines, 'could not claim a scheduler tick')).toEqual([]);
      expect(linesWith(lines, 'internal error')).toEqual([]);
    } finally {
      for (const client of Object.values(clients)) client.close();
    }
    restock.child.kill('SIGTERM');
    expect(await restock.exited).toBe(0);
  });
});
