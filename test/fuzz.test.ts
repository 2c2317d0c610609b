import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { GetProductRequest, InventoryServiceDefinition } from '../src/gen/restock/inventory/v1/inventory_service';
import { OutboxAdminServiceDefinition } from '../src/gen/restock/operations/v1/operations_service';
import { OrdersServiceDefinition } from '../src/gen/restock/orders/v1/orders_service';
import { ProcurementServiceDefinition } from '../src/gen/restock/procurement/v1/procurement_service';
import { order, product } from './support/fixtures';
import { FuzzRequests, type FuzzMethod } from './support/fuzz-requests';
import { rawClient, startTestApp, type RawClient, type TestApp } from './support/harness';
import { seedSupplier } from './support/procurement-fixtures';

/**
 * Property-based fuzz of every RPC: hostile requests generated from the .proto descriptors, and bytes that are not
 * requests at all. No answer may be INTERNAL or UNKNOWN, every call must answer within its deadline, and the
 * connection must keep answering. FUZZ_RUNS is the number of calls in all (CI: the default; `npm run fuzz`: more).
 */
const TOTAL_CALLS = Number(process.env.FUZZ_RUNS ?? 4000);
const CALL_DEADLINE_MS = 10_000;
/** How long a server stream that says nothing is watched for an error before it counts as open. */
const STREAM_OPEN_MS = 200;
const FAILURES = new Set<number>([status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED]);
const DEFINITIONS = [InventoryServiceDefinition, OrdersServiceDefinition, ProcurementServiceDefinition, OutboxAdminServiceDefinition];
const SKU = 'FZ-1';

let t: TestApp;
let client: RawClient;
let requests: FuzzRequests;
let calls = 0;
/** Answers by RPC and status, printed after a long run to see how deep the requests got. */
const answers = new Map<string, number>();
function count(method: FuzzMethod, code: number): void {
  const key = `${method.path.split('/')[2]} ${status[code]}`;
  answers.set(key, (answers.get(key) ?? 0) + 1);
}
const started = Date.now();

beforeAll(async () => {
  t = await startTestApp({ background: false });
  client = rawClient(`127.0.0.1:${t.app.port}`);
  await product(t, SKU, { onHand: 100 });
  await product(t, 'FZ-2', { onHand: 0 });
  await seedSupplier(t, 'FZS', { minQuantity: 1 }, [{ sku: SKU }, { sku: 'FZ-2' }]);
  const { purchaseOrders } = await t.procurement.recordDemand({ demandId: 'dem-1', sku: SKU, quantity: 5 });
  const { order: placed } = await order(t, [
    [SKU, 2],
    ['FZ-2', 3],
  ]);
  // The first pattern that matches a field's name gives its plausible values.
  requests = new FuzzRequests([
    [/supplier_sku/, ['S-FZ-1', 'S-NEW']],
    [/sku/, [SKU, 'FZ-2', 'FZ-NEW']],
    [/supplier_id/, ['FZS', 'FZ-NEW']],
    [/purchase_order_id/, purchaseOrders.map((po) => po.purchaseOrderId)],
    [/order_id/, [placed!.orderId]],
    [/line_id/, placed!.lines.map((line) => line.lineId)],
    [/demand_id/, ['dem-1', 'dem-2']],
    [/customer_id/, ['cust-1', 'cust-2']],
    [/email/, ['cust-1@example.com', 'buyer@fzs.example']],
    [/currency/, ['EUR', 'USD']],
    [/time_zone/, ['Europe/Berlin', 'UTC']],
    [/schedule/, ['', '0 9 * * 1']],
    [/page_token/, ['']],
  ]);
}, 60_000);

afterAll(async () => {
  client?.close();
  await t?.stop();
  if (process.env.FUZZ_RUNS) {
    const table = [...answers].sort().map(([key, n]) => `${key}: ${n}`);
    console.log(`fuzz: ${calls} calls in ${Math.round((Date.now() - started) / 1000)} s\n${table.join('\n')}`);
  }
});

/** Sends one request's bytes and fails on an answer no client mistake may get: INTERNAL, UNKNOWN, or none in time. */
async function send(method: FuzzMethod, bytes: Uint8Array): Promise<void> {
  calls++;
  try {
    // a server stream may stay open without a word (WatchOrderEvents waiting for new events): that is an answer
    const response = method.responseStream ? await client.stream(method.path, bytes, { openMs: STREAM_OPEN_MS }) : await client.call(method.path, bytes, { timeoutMs: CALL_DEADLINE_MS });
    if (response) responseTypes.get(method.path)!.decode(response);
    count(method, status.OK);
  } catch (caught) {
    const error = caught as Partial<ServiceError>;
    if (error.code === undefined) throw caught;
    count(method, error.code);
    if (FAILURES.has(error.code)) throw new Error(`${method.path} answered ${status[error.code]}: ${error.details}`);
  }
}

/** The connection still answers a plain call. */
async function stillAnswers(): Promise<void> {
  const response = await client.call(`/${InventoryServiceDefinition.fullName}/GetProduct`, GetProductRequest.encode({ sku: SKU }).finish(), { timeoutMs: CALL_DEADLINE_MS });
  expect(response.length).toBeGreaterThan(0);
}

const responseTypes = new Map(DEFINITIONS.flatMap((definition) => Object.values(definition.methods).map((method) => [`/${definition.fullName}/${method.name}`, method.responseType])));

// The descriptors are read before the tests are declared, so that every RPC gets a test of its own.
const methods = new FuzzRequests([[/./, ['seed']]]).methods;
const perMethod = Math.ceil(TOTAL_CALLS / methods.length);
const asRequests = Math.ceil((perMethod * 2) / 3);

it('covers every RPC of the service definitions', () => {
  expect(methods.map((method) => method.path).sort()).toEqual([...responseTypes.keys()].sort());
  expect(perMethod * methods.length).toBeGreaterThanOrEqual(2000);
});

describe.each(methods.map((method) => [method.path, method] as const))('%s', (_path, method) => {
  const timeout = 60_000 + perMethod * 500;

  it('never answers INTERNAL or UNKNOWN, nor hangs, for hostile requests', async () => {
    await fc.assert(
      fc.asyncProperty(requests.request(method.requestType), (request) => send(method, requests.encode(method.requestType, request))),
      { numRuns: asRequests },
    );
    await stillAnswers();
  }, timeout);

  it('never answers INTERNAL or UNKNOWN, nor hangs, for bytes that are not a request', async () => {
    await fc.assert(
      fc.asyncProperty(requests.rawBytes(method.requestType), (bytes) => send(method, bytes)),
      { numRuns: perMethod - asRequests },
    );
    await stillAnswers();
  }, timeout);
});

it('still answers on the same connection after all of it', async () => {
  await stillAnswers();
  expect(calls).toBeGreaterThanOrEqual(Math.min(TOTAL_CALLS, 2000));
});
