import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { status } from '@grpc/grpc-js';
import { MAX_REPORTED_TEXT, MAX_REPORTED_VIOLATIONS } from '../src/platform/errors';
import { MAX_REPEATED } from '../src/platform/request-checks';
import { callRaw, grpcError, startTestApp, type TestApp } from './support/harness';
import { supplierOf } from './support/procurement-fixtures';

let t: TestApp;
let address: string;
beforeAll(async () => {
  t = await startTestApp({ background: false });
  address = `127.0.0.1:${t.app.port}`;
  await t.inventory.upsertProduct({ product: { sku: 'OK-1', name: 'Ok', unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 } } });
  await t.procurement.upsertSupplier({ supplier: supplierOf('CTL') });
});
afterAll(() => t.stop());

const price = { currencyCode: 'EUR', units: 1, nanos: 0 };
const INVENTORY = '/restock.inventory.v1.InventoryService';
const PROCUREMENT = '/restock.procurement.v1.ProcurementService';

/** The fields an INVALID_ARGUMENT answer names; fails on any other answer. */
async function refusedFields(call: Promise<unknown>): Promise<string[]> {
  const error = await grpcError(call);
  expect({ code: status[error.code], details: error.details }).toMatchObject({ code: 'INVALID_ARGUMENT' });
  return error.violations.map((v) => v.field);
}

/** A message whose field `field` is a google.protobuf.Timestamp of `seconds`. */
function withTimestamp(field: number, seconds: bigint | number): Uint8Array {
  const writer = new BinaryWriter();
  writer.uint32((field << 3) | 2).fork().uint32(8).int64(seconds).join();
  return writer.finish();
}

describe('control characters in strings', () => {
  const cases: [string, () => Promise<unknown>, string[]][] = [
    ['CancelOrder.reason', () => t.orders.cancelOrder({ orderId: 'ord-1', reason: 'gone\0' }), ['reason']],
    ['UpsertProduct name', () => t.inventory.upsertProduct({ product: { sku: 'NUL-1', name: 'Wid\0get', unitPrice: price } }), ['product.name']],
    ['AdjustStock.reason', () => t.inventory.adjustStock({ requestId: 'adj-ctl', sku: 'OK-1', delta: 1, reason: 'red \x1b[31m' }), ['reason']],
    ['ShipOrder carrier and tracking number', () => t.orders.shipOrder({ orderId: 'ord-1', shipmentId: 's-1', carrier: 'DHL\0', trackingNumber: 'T\r1' }), ['carrier', 'tracking_number']],
    ['UpsertSupplier name', () => t.procurement.upsertSupplier({ supplier: { ...supplierOf('NUL'), name: 'Acme\0' } }), ['supplier.name']],
    [
      'UpsertSupplierProduct.supplier_sku',
      () => t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'CTL', sku: 'OK-1', supplierSku: 'A\0', unitCost: price, packSize: 1 } }),
      ['supplier_product.supplier_sku'],
    ],
    [
      'UpdateBufferPolicy updated_by and reason',
      () => t.procurement.updateBufferPolicy({ supplierId: 'CTL', policy: supplierOf('CTL').bufferPolicy, updatedBy: 'me\0', reason: 'why\x7f' }),
      ['updated_by', 'reason'],
    ],
    ['BatchReserveStock, deep in a repeated field', () => t.inventory.batchReserveStock({ requests: [{ requestId: 'r', lines: [{ lineId: 'l\x85', sku: 'OK-1', quantity: 1 }] }] }), ['requests[0].lines[0].line_id']],
  ];

  it.each(cases)('%s: INVALID_ARGUMENT naming the field', async (_name, call, fields) => {
    expect(await refusedFields(call())).toEqual(fields);
  });

  it('changes nothing when it refuses', async () => {
    expect((await grpcError(t.inventory.getProduct({ sku: 'NUL-1' }))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(t.procurement.getSupplier({ supplierId: 'NUL' }))).code).toBe(status.NOT_FOUND);
  });

  it('accepts tabs and newlines', async () => {
    const { stock } = await t.inventory.adjustStock({ requestId: 'adj-tab', sku: 'OK-1', delta: 1, reason: 'counted\n\tagain' });
    expect(stock?.onHand).toBe(1);
  });
});

describe('timestamps out of range', () => {
  it('refuses EvaluateBuffers.as_of_time of seconds 1e13', async () => {
    expect(await refusedFields(callRaw(address, `${PROCUREMENT}/EvaluateBuffers`, withTimestamp(1, 1e13)))).toEqual(['as_of_time']);
  });

  it('refuses ReceivePurchaseOrder.received_time of seconds 1e13', async () => {
    expect(await refusedFields(callRaw(address, `${PROCUREMENT}/ReceivePurchaseOrder`, withTimestamp(4, 1e13)))).toContain('received_time');
  });

  it('refuses times before 1970 and after 9999', async () => {
    expect(await refusedFields(t.procurement.evaluateBuffers({ asOfTime: new Date(-1000) }))).toEqual(['as_of_time']);
    expect(await refusedFields(t.procurement.evaluateBuffers({ asOfTime: new Date(Date.UTC(10000, 0, 1)) }))).toEqual(['as_of_time']);
    expect(await refusedFields(t.procurement.confirmPurchaseOrder({ purchaseOrderId: 'po-1', promisedTime: new Date(Date.UTC(12000, 0, 1)) }))).toEqual(['promised_time']);
  });

  it('accepts the last moment of 9999', async () => {
    await expect(t.procurement.evaluateBuffers({ asOfTime: new Date(Date.UTC(9999, 11, 31, 23, 59, 59)) })).resolves.toBeDefined();
  });
});

describe('undecodable requests', () => {
  it.each([
    ['an invalid wire type', Buffer.from([0x0f, 0xff])],
    ['a length past the end', Buffer.from([0x0a, 0x64, 0x01])],
    ['a varint that never ends', Buffer.alloc(12, 0xff)],
  ])('refuses %s as INVALID_ARGUMENT', async (_name, bytes) => {
    const error = await grpcError(callRaw(address, `${INVENTORY}/GetProduct`, bytes));
    expect(status[error.code]).toBe('INVALID_ARGUMENT');
    expect(error.reason).toBe('UNDECODABLE_REQUEST');
    expect(error.details).toMatch(/does not decode/);
  });

  it('refuses an int64 above 2^53-1 as INVALID_ARGUMENT', async () => {
    const writer = new BinaryWriter();
    writer.uint32(10).fork(); // product
    writer.uint32(10).string('BIG-1').uint32(18).string('Big');
    writer.uint32(26).fork().uint32(10).string('EUR').uint32(16).int64(2n ** 60n).join(); // unit_price.units
    writer.join();
    const error = await grpcError(callRaw(address, `${INVENTORY}/UpsertProduct`, writer.finish()));
    expect(status[error.code]).toBe('INVALID_ARGUMENT');
    expect(error.reason).toBe('UNDECODABLE_REQUEST');
    expect((await grpcError(t.inventory.getProduct({ sku: 'BIG-1' }))).code).toBe(status.NOT_FOUND);
  });

  it('refuses a timestamp whose seconds exceed 2^53-1 as INVALID_ARGUMENT', async () => {
    const error = await grpcError(callRaw(address, `${PROCUREMENT}/EvaluateBuffers`, withTimestamp(1, 2n ** 62n)));
    expect(status[error.code]).toBe('INVALID_ARGUMENT');
  });
});

describe('huge violation lists', () => {
  const badLines = (count: number) => Array.from({ length: count }, () => ({ lineId: '', sku: 'bad sku', quantity: 0 }));

  it(`reports the first ${MAX_REPORTED_VIOLATIONS} of 1,000 bad lines and a count, and the connection keeps answering`, async () => {
    const error = await grpcError(t.inventory.reserveStock({ requestId: 'r-huge', lines: badLines(1000) }));
    expect(status[error.code]).toBe('INVALID_ARGUMENT');
    expect(error.violations).toHaveLength(MAX_REPORTED_VIOLATIONS);
    expect(error.violations[0].field).toBe('lines');
    expect(error.metadata.violation_count).toBe('4000');
    expect(error.details).toMatch(/and 3980 more \(4000 in all\)$/);
    expect((await t.inventory.getStock({ sku: 'OK-1' })).stock?.sku).toBe('OK-1');
  });

  it('answers at once when a violation would quote a huge value: descriptions are cut to a size the trailers carry', async () => {
    // 20 unknown mask paths of 20,000 emoji each: quoted whole, the answer would outgrow HTTP/2's header limit
    // and never reach the client (found by the fuzz test: DEADLINE_EXCEEDED after 10 s)
    const paths = Array.from({ length: 20 }, () => '😀'.repeat(20_000));
    const error = await grpcError(
      t.procurement.updateBufferPolicy({ supplierId: 'CTL', policy: { minQuantity: 1 }, updateMask: paths, reason: 'r' }, { timeoutMs: 5_000 }),
    );
    expect(status[error.code]).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field)).toEqual(paths.map((_, i) => `update_mask.paths[${i}]`));
    for (const v of error.violations) expect([...v.description].length).toBeLessThanOrEqual(MAX_REPORTED_TEXT);
    expect(error.violations[0].description).toMatch(/^unknown BufferPolicy field "😀+…$/u);
  });

  it(`refuses any repeated field longer than ${MAX_REPEATED} before looking at its elements`, async () => {
    expect(await refusedFields(t.inventory.reserveStock({ requestId: 'r-huger', lines: badLines(MAX_REPEATED + 1) }))).toEqual(['lines']);
    expect(await refusedFields(t.orders.refreshEtas({ skus: Array.from({ length: 5000 }, (_, i) => `S-${i}`) }))).toEqual(['skus']);
    expect((await t.inventory.getStock({ sku: 'OK-1' })).stock?.sku).toBe('OK-1');
  });
});
