import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

const goodLine = { sku: 'SKU-1', quantity: 1 };
const goodOrder = { requestId: 'r-1', customerId: 'c-1', customerEmail: 'c@example.com', lines: [goodLine] };
const tooMany = Array.from({ length: 101 }, () => goodLine);
const long = 'x'.repeat(501);

// [rpc, request, the fields the answer must name]
const CASES: [string, Record<string, unknown>, string[]][] = [
  ['placeOrder', {}, ['request_id', 'customer_id', 'customer_email', 'lines']],
  ['placeOrder', { ...goodOrder, customerEmail: 'not-an-email', lines: tooMany }, ['customer_email', 'lines']],
  ['placeOrder', { ...goodOrder, requestId: 'has space', priority: 9, fulfillmentPolicy: 7 }, ['request_id', 'priority', 'fulfillment_policy']],
  ['placeOrder', { ...goodOrder, lines: [{ sku: 'bad sku!', quantity: 0 }, { sku: 'OK', quantity: 1_000_001 }, { sku: '', quantity: -1 }] }, ['lines[0].sku', 'lines[0].quantity', 'lines[1].quantity', 'lines[2].sku', 'lines[2].quantity']],
  ['getOrder', {}, ['order_id']],
  ['listOrders', { customerId: 'has space', statuses: [2, 0, 9] }, ['customer_id', 'statuses[1]', 'statuses[2]']],
  ['listOrders', { customerId: 'c-1', pageToken: 'garbage' }, ['page_token']],
  ['listOrders', { customerId: 'c-1', pageSize: -1 }, ['page_size']],
  ['cancelOrder', { orderId: '', reason: '' }, ['order_id', 'reason']],
  ['cancelOrder', { orderId: 'o-1', reason: long, requestId: 'has space' }, ['reason', 'request_id']],
  ['cancelOrderLine', { orderId: 'o 1', lineId: '', quantity: -2, reason: '', requestId: 'x'.repeat(129) }, ['order_id', 'line_id', 'quantity', 'reason', 'request_id']],
  ['shipOrder', {}, ['order_id', 'shipment_id', 'carrier', 'tracking_number']],
  ['shipOrder', { orderId: 'o-1', shipmentId: 's-1', carrier: 'x'.repeat(101), trackingNumber: 't' }, ['carrier']],
  ['listBackorders', { sku: 'a b' }, ['sku']],
  ['listBackorders', { sku: 'SKU-1', pageToken: '!!' }, ['page_token']],
  ['applyReceipt', {}, ['receipt_id', 'sku', 'quantity']],
  ['applyReceipt', { receiptId: 'r', sku: 'SKU-1', quantity: 1_000_001 }, ['quantity']],
  ['allocateStock', { sku: '' }, ['sku']],
  ['refreshEtas', { skus: [] }, ['skus']],
  ['refreshEtas', { skus: ['OK', 'not ok'] }, ['skus[1]']],
];

describe('bad input', () => {
  it.each(CASES.map(([rpc, request, fields]) => [rpc, JSON.stringify(request).slice(0, 80), request, fields] as const))(
    '%s %s is INVALID_ARGUMENT naming every bad field',
    async (rpc, _shown, request, fields) => {
      const call = (t.orders as unknown as Record<string, (r: unknown) => Promise<unknown>>)[rpc](request);
      const error = await grpcError(call);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.reason).toBe('INVALID_FIELDS');
      expect(error.violations.map((v) => v.field).sort()).toEqual([...fields].sort());
    },
  );

  it('answers NOT_FOUND (not INTERNAL) for unknown orders and lines', async () => {
    const calls = [
      () => t.orders.getOrder({ orderId: 'nope' }),
      () => t.orders.cancelOrder({ orderId: 'nope', reason: 'r' }),
      () => t.orders.cancelOrderLine({ orderId: 'nope', lineId: 'l', reason: 'r' }),
      () => t.orders.shipOrder({ orderId: 'nope', shipmentId: 's', carrier: 'c', trackingNumber: 't' }),
    ];
    for (const call of calls) expect((await grpcError(call())).code).toBe(status.NOT_FOUND);
  });
});
