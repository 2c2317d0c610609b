import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { query } from './support/db';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
  await t.inventory.upsertProduct({ product: { sku: 'OK-1', name: 'Ok', unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 } } });
  await t.inventory.adjustStock({ requestId: 'seed', sku: 'OK-1', delta: 5, reason: 'seed' });
});
afterAll(() => t.stop());

const longSku = 'S'.repeat(65);
const huge = 2_000_000_000;

type Case = [name: string, call: () => Promise<unknown>, fields: string[]];

const cases: Case[] = [
  ['UpsertProduct without a product', () => t.inventory.upsertProduct({}), ['product']],
  [
    'UpsertProduct with every field wrong',
    () =>
      t.inventory.upsertProduct({
        product: { sku: '', name: '', unitPrice: { currencyCode: 'euro', units: -1, nanos: 1e9 }, backorderPolicy: { maxBackorderQuantityPerCustomer: -1 } },
      }),
    ['product.sku', 'product.name', 'product.unit_price.currency_code', 'product.unit_price.units', 'product.unit_price.nanos', 'product.backorder_policy.max_backorder_quantity_per_customer'],
  ],
  ['UpsertProduct without a price', () => t.inventory.upsertProduct({ product: { sku: 'X', name: 'x' } }), ['product.unit_price']],
  ['GetProduct with an empty sku', () => t.inventory.getProduct({ sku: '' }), ['sku']],
  ['GetProduct with an overlong sku', () => t.inventory.getProduct({ sku: longSku }), ['sku']],
  ['GetProduct with a sku with spaces', () => t.inventory.getProduct({ sku: 'a b' }), ['sku']],
  ['BatchGetProducts with no skus', () => t.inventory.batchGetProducts({ skus: [] }), ['skus']],
  ['BatchGetProducts with a bad sku', () => t.inventory.batchGetProducts({ skus: ['OK-1', ''] }), ['skus[1]']],
  ['GetStock with an empty sku', () => t.inventory.getStock({ sku: '' }), ['sku']],
  ['AdjustStock with nothing set', () => t.inventory.adjustStock({}), ['request_id', 'sku', 'delta', 'reason']],
  ['AdjustStock with a huge delta', () => t.inventory.adjustStock({ requestId: 'a', sku: 'OK-1', delta: huge, reason: 'r' }), ['delta']],
  ['AdjustStock with a huge negative delta', () => t.inventory.adjustStock({ requestId: 'a', sku: 'OK-1', delta: -huge, reason: 'r' }), ['delta']],
  ['AdjustStock with an overlong request id', () => t.inventory.adjustStock({ requestId: 'r'.repeat(129), sku: 'OK-1', delta: 1, reason: 'r' }), ['request_id']],
  ['ReceiveStock with zero', () => t.inventory.receiveStock({ receiptId: 'r', sku: 'OK-1', quantity: 0 }), ['quantity']],
  ['ReceiveStock with a negative quantity and no receipt id', () => t.inventory.receiveStock({ sku: 'OK-1', quantity: -3 }), ['receipt_id', 'quantity']],
  ['ReceiveStock with a huge quantity', () => t.inventory.receiveStock({ receiptId: 'r', sku: 'OK-1', quantity: huge }), ['quantity']],
  ['ReserveStock with no lines', () => t.inventory.reserveStock({ requestId: 'r', lines: [] }), ['lines']],
  [
    'ReserveStock with bad lines',
    () => t.inventory.reserveStock({ requestId: '', lines: [{ lineId: '', sku: longSku, quantity: 0 }, { lineId: 'l', sku: 'OK-1', quantity: -1 }] }),
    ['request_id', 'lines[0].line_id', 'lines[0].sku', 'lines[0].quantity', 'lines[1].quantity'],
  ],
  [
    'ReserveStock with a line id twice',
    () => t.inventory.reserveStock({ requestId: 'r', lines: [{ lineId: 'l', sku: 'OK-1', quantity: 1 }, { lineId: 'l', sku: 'OK-1', quantity: 1 }] }),
    ['lines[1].line_id'],
  ],
  ['ReserveStock with 101 lines', () => t.inventory.reserveStock({ requestId: 'r', lines: Array.from({ length: 101 }, (_, i) => ({ lineId: `l${i}`, sku: 'OK-1', quantity: 1 })) }), ['lines']],
  ['BatchReserveStock with no requests', () => t.inventory.batchReserveStock({ requests: [] }), ['requests']],
  [
    'BatchReserveStock with a bad request and a request id twice',
    () =>
      t.inventory.batchReserveStock({
        requests: [
          { requestId: 'r', lines: [{ lineId: 'l', sku: 'OK-1', quantity: 1 }] },
          { requestId: 'r', lines: [{ lineId: '', sku: 'OK-1', quantity: 0 }] },
        ],
      }),
    ['requests[1].request_id', 'requests[1].lines[0].line_id', 'requests[1].lines[0].quantity'],
  ],
  ['BatchReserveStock with 101 requests', () => t.inventory.batchReserveStock({ requests: Array.from({ length: 101 }, (_, i) => ({ requestId: `r${i}`, lines: [{ lineId: `l${i}`, sku: 'OK-1', quantity: 1 }] })) }), ['requests']],
  ['ReleaseStock with bad lines', () => t.inventory.releaseStock({ requestId: 'r', lines: [{ lineId: '', quantity: 0 }] }), ['lines[0].line_id', 'lines[0].quantity']],
  ['ShipStock without request id and lines', () => t.inventory.shipStock({}), ['request_id', 'lines']],
  ['ListStockMovements with a bad sku and page size', () => t.inventory.listStockMovements({ sku: '', pageSize: -1 }), ['sku']],
  ['ListStockMovements with a forged page token', () => t.inventory.listStockMovements({ sku: 'OK-1', pageToken: 'not-a-token' }), ['page_token']],
];

describe('bad input on every Inventory RPC', () => {
  it.each(cases)('%s is INVALID_ARGUMENT naming the bad fields', async (_name, call, fields) => {
    const error = await grpcError(call());
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(fields);
    for (const violation of error.violations) expect(violation.description).not.toBe('');
  });

  it('changes nothing when a request is refused', async () => {
    const before = await t.inventory.listStockMovements({ sku: 'OK-1' });
    for (const [, call] of cases) await call().catch(() => undefined);
    expect((await t.inventory.getStock({ sku: 'OK-1' })).stock).toEqual({ sku: 'OK-1', onHand: 5, reserved: 0, available: 5 });
    expect(await t.inventory.listStockMovements({ sku: 'OK-1' })).toEqual(before);
  });

  it('answers NOT_FOUND, not INTERNAL, for unknown SKUs on every stock RPC', async () => {
    const calls = [
      () => t.inventory.getStock({ sku: 'GHOST' }),
      () => t.inventory.adjustStock({ requestId: 'g1', sku: 'GHOST', delta: 1, reason: 'r' }),
      () => t.inventory.receiveStock({ receiptId: 'g2', sku: 'GHOST', quantity: 1 }),
      () => t.inventory.reserveStock({ requestId: 'g3', lines: [{ lineId: 'g', sku: 'GHOST', quantity: 1 }] }),
      () => t.inventory.shipStock({ requestId: 'g4', lines: [{ lineId: 'ghost-line', quantity: 1 }] }),
    ];
    for (const call of calls) expect((await grpcError(call())).code).toBe(status.NOT_FOUND);
  });

  it('refuses a total that no longer fits with FAILED_PRECONDITION', async () => {
    for (let i = 0; i < 3; i++) await t.inventory.receiveStock({ receiptId: `big-${i}`, sku: 'OK-1', quantity: 1_000_000 }).catch(() => undefined);
    await query(t.databaseUrl, 'UPDATE inventory.stock SET on_hand = 2147000000 WHERE sku = $1', ['OK-1']);
    const error = await grpcError(t.inventory.receiveStock({ receiptId: 'overflow', sku: 'OK-1', quantity: 1_000_000 }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe('QUANTITY_OUT_OF_RANGE');
  });
});
