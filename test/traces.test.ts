import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Priority } from '../src/gen/restock/common/v1/priority';
import { FulfillmentPolicy } from '../src/gen/restock/orders/v1/order';
import { createTestDatabase } from './support/databases';
import { query } from './support/db';
import { freePort } from './support/global-setup';
import { CHILD_JWT_SECRET, childToken, clientsOf, waitFor, type Clients } from './support/harness';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp';
import { spawnRestock, waitUntilServing, type RestockProcess } from './support/process';
import { eur, supplierOf } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Tracing patches @grpc/grpc-js and pg as they load, so it is tested in real Restock processes started the
// way `npm start` starts them, exporting to an OTLP/HTTP receiver in this test process.

const ROOT = path.resolve(__dirname, '..');
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;
const ERROR = 2;

let smtp: TestSmtpServer;
let receiver: OtlpReceiver;
beforeAll(async () => {
  smtp = await startSmtpServer();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await smtp.close();
  await receiver.close();
});

interface Running {
  restock: RestockProcess;
  clients: Clients;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** A Restock process with all three services on a fresh database, mailing through the test SMTP server. */
async function startRestock(env: Record<string, string>): Promise<Running> {
  const databaseUrl = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-traces-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const restock = spawnRestock({
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    GRPC_PORT: String(port),
    AUTH_JWT_SECRET: CHILD_JWT_SECRET,
    SMTP_URL: smtp.url,
    LOG_LEVEL: 'debug',
    OUTBOX_POLL_MS: '50',
    OUTBOX_BACKOFF_MS: '200',
    ...env,
  });
  await waitUntilServing(restock, address);
  const clients = clientsOf(address, childToken());
  return {
    restock,
    clients,
    databaseUrl,
    async stop() {
      for (const client of Object.values(clients)) client.close();
      restock.child.kill('SIGTERM');
      expect(await restock.exited).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A SKU with nothing on hand, supplied by a supplier that releases a PO as soon as one unit is buffered. */
async function backorderable(clients: Clients, sku: string, supplierId: string): Promise<string> {
  await clients.inventory.upsertProduct({
    product: { sku, name: `Product ${sku}`, unitPrice: { currencyCode: 'EUR', units: 12, nanos: 0 }, backorderPolicy: { acceptBackorders: true } },
  });
  const supplier = supplierOf(supplierId, { minQuantity: 1 });
  await clients.procurement.upsertSupplier({ supplier });
  await clients.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId, sku, supplierSku: `S-${sku}`, unitCost: eur(500), packSize: 1, minOrderQuantity: 0 },
  });
  return supplier.email!;
}

function placeBackorder(clients: Clients, sku: string, requestId: string) {
  return clients.orders.placeOrder({
    requestId,
    customerId: 'tracy',
    customerEmail: 'tracy@example.com',
    priority: Priority.PRIORITY_STANDARD,
    fulfillmentPolicy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
    lines: [{ sku, quantity: 3 }],
  });
}

/** A span of a pg query (the instrumentation names the system in `db.system.name`, `db.system` before). */
const isPg = (span: ReceivedSpan) => (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql';

/** The JSON log lines a process wrote. */
function logLines(restock: RestockProcess): Record<string, unknown>[] {
  return restock
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('starts no SDK and patches neither gRPC nor pg without OTEL_EXPORTER_OTLP_ENDPOINT, and patches both with it', async () => {
  const probe = (env: Record<string, string>) =>
    new Promise<{ started: boolean; sdkLoaded: number; grpcPatched: boolean; pgPatched: boolean }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/tracing-probe.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output.trim().split('\n').pop()!)) : reject(new Error(`probe exited with ${code}: ${output}`))));
    });
  expect(await probe({})).toEqual({ started: false, sdkLoaded: 0, grpcPatched: false, pgPatched: false });
  const on = await probe({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  expect(on).toMatchObject({ started: true, grpcPatched: true, pgPatched: true });
  expect(on.sdkLoaded).toBeGreaterThan(0);
}, 60_000);

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startRestock({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50' });
  }, 90_000);
  afterAll(() => r?.stop());

  it('shows one PlaceOrder that backorders as one trace: Orders, Inventory, the outbox, Procurement.RecordDemand and the PO email', async () => {
    const supplierEmail = await backorderable(r.clients, 'TRACED-1', 'TRACEDSUP');
    // The supplier's mailbox refuses the first try: the retry must stay in the same trace.
    smtp.down = true;
    const { order } = await placeBackorder(r.clients, 'TRACED-1', 'traced-order-1');
    expect(order!.lines[0]).toMatchObject({ backorderedQuantity: 3 });
    await waitFor(() => logLines(r.restock).some((l) => l.msg === 'outbox delivery failed, will retry' && l.topic === 'procurement.send-purchase-order'), {
      what: 'a refused PO email',
    });
    smtp.down = false;
    await waitFor(() => smtp.to(supplierEmail, /Purchase order/).length === 1, { what: 'the PO email' });

    const place = await waitFor(() => receiver.spans.find((s) => s.name === 'grpc.restock.orders.v1.OrdersService/PlaceOrder' && s.kind === SERVER), { what: 'the PlaceOrder span' });
    expect(place.parentSpanId).toBe(''); // this test's client sends no trace context: the trace starts at Orders
    expect(place.serviceName).toBe('restock');
    const named = (spans: ReceivedSpan[], name: string | RegExp, kind?: number) => spans.filter((s) => (typeof name === 'string' ? s.name === name : name.test(s.name)) && (kind === undefined || s.kind === kind));
    // Spans arrive in batches as they end: wait for the last of them (the delivered PO email).
    const spans = await waitFor(
      () => {
        const trace = receiver.trace(place.traceId);
        const delivered = named(trace, 'outbox deliver procurement.send-purchase-order', CONSUMER).some((s) => s.statusCode !== ERROR);
        return delivered && named(trace, 'email send', CLIENT).length >= 2 && trace;
      },
      { what: 'the whole trace' },
    );
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);
    const one = (name: string | RegExp, kind?: number) => {
      const found = named(spans, name, kind);
      expect(found.map((s) => s.name)).toHaveLength(1);
      return found[0];
    };

    // Orders → Inventory: a client span under PlaceOrder, the Inventory server span under it.
    const reserve = one(/^grpc\.restock\.inventory\.v1\.InventoryService\/(Batch)?ReserveStock$/, SERVER);
    expect(parentOf(reserve)).toMatchObject({ kind: CLIENT, name: reserve.name, parentSpanId: place.spanId });

    // → the outbox: the demand message was written in PlaceOrder's context and its delivery continues it.
    const demandDelivery = one('outbox deliver procurement.record-demand', CONSUMER);
    expect(demandDelivery.parentSpanId).toBe(place.spanId);
    expect(demandDelivery.attributes['messaging.message.id']).toMatch(/^record-demand:/);
    const [{ traceparent: demandTraceparent }] = await query<{ traceparent: string }>(r.databaseUrl, `SELECT traceparent FROM orders.outbox WHERE topic = 'procurement.record-demand'`);
    expect(demandTraceparent).toBe(`00-${place.traceId}-${place.spanId}-01`);

    // → Procurement.RecordDemand, called by that delivery; its queries are in the trace (pg instrumentation).
    const recordDemand = one('grpc.restock.procurement.v1.ProcurementService/RecordDemand', SERVER);
    expect(parentOf(recordDemand)).toMatchObject({ kind: CLIENT, parentSpanId: demandDelivery.spanId });
    expect(spans.some((s) => s.parentSpanId === recordDemand.spanId && s.kind === CLIENT && isPg(s))).toBe(true);

    // → the release it triggered wrote the PO email message; both delivery attempts hang under RecordDemand,
    // the refused one marked failed, and each sends the email in a span of its own.
    const poDeliveries = named(spans, 'outbox deliver procurement.send-purchase-order', CONSUMER).sort((a, b) => Number(a.attributes['restock.outbox.attempt']) - Number(b.attributes['restock.outbox.attempt']));
    expect(poDeliveries.length).toBeGreaterThanOrEqual(2);
    expect(poDeliveries.map((s) => [s.parentSpanId, s.statusCode === ERROR])).toEqual(poDeliveries.map((_, i) => [recordDemand.spanId, i < poDeliveries.length - 1]));
    for (const delivery of poDeliveries) expect(spans.filter((s) => s.name === 'email send' && s.parentSpanId === delivery.spanId)).toHaveLength(1);
    // The customer's confirmation went out in the same trace, through Orders' outbox.
    // (Other customer emails of this trace — an ETA that became known, say — come from later deliveries.)
    const confirmations = named(spans, 'outbox deliver email', CONSUMER).filter((s) => String(s.attributes['messaging.message.id']).startsWith('order-confirmation:'));
    expect(confirmations.length).toBeGreaterThanOrEqual(1);
    for (const confirmation of confirmations) expect(confirmation.parentSpanId).toBe(place.spanId);

    // Log lines written inside the trace carry its id: the refused email's warning, the deliveries.
    const lines = logLines(r.restock);
    const inTrace = lines.filter((l) => l.trace_id === place.traceId);
    expect(inTrace.filter((l) => l.msg === 'outbox delivery failed, will retry').map((l) => l.topic)).toContain('procurement.send-purchase-order');
    expect(inTrace.filter((l) => l.msg === 'outbox message delivered').map((l) => l.topic)).toEqual(expect.arrayContaining(['procurement.record-demand', 'procurement.send-purchase-order']));
    expect(lines.find((l) => l.msg === 'traces are exported')).toMatchObject({ tracing: { endpoint: receiver.url, serviceName: 'restock' } });
    // No pg span without a parent: the outbox and scheduler polls do not each start a trace.
    expect(receiver.spans.filter((s) => s.parentSpanId === '' && isPg(s))).toEqual([]);
  }, 90_000);

  it('keeps each batch of concurrent PlaceOrders in the trace of an order of that batch', async () => {
    const before = receiver.spans.length;
    await r.clients.inventory.upsertProduct({ product: { sku: 'BATCHED-1', name: 'Batched', unitPrice: { currencyCode: 'EUR', units: 3, nanos: 0 } } });
    await r.clients.inventory.adjustStock({ requestId: 'seed-batched', sku: 'BATCHED-1', delta: 100, reason: 'seed' });
    const placed = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        r.clients.orders.placeOrder({
          requestId: `batched-${i}`,
          customerId: `batch-${i}`,
          customerEmail: `batch-${i}@example.com`,
          priority: Priority.PRIORITY_STANDARD,
          fulfillmentPolicy: FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
          lines: [{ sku: 'BATCHED-1', quantity: 1 }],
        }),
      ),
    );
    expect(placed.every(({ order }) => order!.lines[0].allocatedQuantity === 1)).toBe(true);
    // Each batch reserves once, from within the PlaceOrder of its first order, while that call is still open. A
    // batch started when the previous one ended must not run in that one's trace: its call has answered.
    // Spans are exported in the order they end, and every reservation ended before the last order answered.
    const spans = await waitFor(
      () => {
        const received = receiver.spans.slice(before);
        return received.filter((s) => s.name === 'grpc.restock.orders.v1.OrdersService/PlaceOrder' && s.kind === SERVER).length === 16 && received;
      },
      { what: 'the PlaceOrder spans' },
    );
    const places = new Map(spans.filter((s) => s.name === 'grpc.restock.orders.v1.OrdersService/PlaceOrder' && s.kind === SERVER).map((s) => [s.spanId, s]));
    const reserves = spans.filter((s) => /InventoryService\/(Batch)?ReserveStock$/.test(s.name) && s.kind === CLIENT);
    expect(reserves.length).toBeGreaterThan(1); // more than one batch ran
    for (const call of reserves) {
      const place = places.get(call.parentSpanId);
      expect(place).toBeDefined();
      expect([call.startNanos >= place!.startNanos, call.endNanos <= place!.endNanos]).toEqual([true, true]);
    }
  }, 60_000);
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startRestock({});
  }, 90_000);
  afterAll(() => r?.stop());

  it('exports nothing, stores no traceparent and logs no trace_id', async () => {
    const exportsBefore = receiver.requests;
    const supplierEmail = await backorderable(r.clients, 'UNTRACED-1', 'UNTRACEDSUP');
    await placeBackorder(r.clients, 'UNTRACED-1', 'untraced-order-1');
    await waitFor(() => smtp.to(supplierEmail, /Purchase order/).length === 1, { what: 'the PO email' });
    await waitFor(() => logLines(r.restock).filter((l) => l.msg === 'outbox message delivered').length >= 3, { what: 'the deliveries' });

    const lines = logLines(r.restock);
    expect(lines.find((l) => l.msg === 'tracing is off')).toMatchObject({ tracing: 'off' });
    expect(lines.filter((l) => 'trace_id' in l || 'span_id' in l)).toEqual([]);
    for (const schema of ['orders', 'procurement']) {
      const rows = await query<{ topic: string; traceparent: string | null }>(r.databaseUrl, `SELECT topic, traceparent FROM ${schema}.outbox`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.traceparent !== null)).toEqual([]);
    }
    expect(receiver.requests).toBe(exportsBefore);
  }, 90_000);
});
