import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { eur, supplierOf } from './support/procurement-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
  await t.procurement.upsertSupplier({ supplier: supplierOf('VAL') });
});
afterAll(() => t.stop());

const bad = 'has space';
const badSupplier = {
  supplierId: bad,
  name: '',
  email: 'not-an-email',
  timeZone: 'Mars/Olympus',
  quotedLeadTimeDays: -1,
  currencyCode: 'eur',
  bufferPolicy: { minQuantity: -5, minValue: { currencyCode: 'EUR', units: -1, nanos: 0 }, releaseSchedule: '0 25 * * *', maxWaitDays: -1, paused: false },
};

/** Every Procurement RPC with a request that is wrong in each field it checks, and the fields it must name. */
const cases: [string, (t: TestApp) => Promise<unknown>, string[]][] = [
  ['UpsertSupplier', (t) => t.procurement.upsertSupplier({ supplier: badSupplier }), [
    'supplier.supplier_id', 'supplier.name', 'supplier.email', 'supplier.time_zone', 'supplier.quoted_lead_time_days', 'supplier.currency_code',
    'supplier.buffer_policy.min_quantity', 'supplier.buffer_policy.max_wait_days', 'supplier.buffer_policy.release_schedule', 'supplier.buffer_policy.min_value.units',
    'supplier.buffer_policy.min_value.currency_code',
  ]],
  ['UpsertSupplier without a supplier', (t) => t.procurement.upsertSupplier({}), ['supplier']],
  ['GetSupplier', (t) => t.procurement.getSupplier({ supplierId: '' }), ['supplier_id']],
  ['ListSuppliers', (t) => t.procurement.listSuppliers({ pageSize: -1 }), ['page_size']],
  ['ListSuppliers with a forged token', (t) => t.procurement.listSuppliers({ pageToken: 'garbage!' }), ['page_token']],
  ['UpsertSupplierProduct', (t) => t.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId: '', sku: 'bad sku', supplierSku: '', unitCost: { currencyCode: 'EUR', units: -1, nanos: 0 }, packSize: 0, minOrderQuantity: -1 },
  }), ['supplier_product.supplier_id', 'supplier_product.sku', 'supplier_product.supplier_sku', 'supplier_product.unit_cost.units', 'supplier_product.pack_size', 'supplier_product.min_order_quantity']],
  ['UpsertSupplierProduct without a cost', (t) => t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'VAL', sku: 'A', supplierSku: 'A', packSize: 1 } }), ['supplier_product.unit_cost']],
  ['UpdateBufferPolicy', (t) => t.procurement.updateBufferPolicy({
    supplierId: 'VAL', policy: { minQuantity: -1, releaseSchedule: '* * *', maxWaitDays: -3 }, updatedBy: 'someone-else', reason: '',
  }), ['policy.min_quantity', 'policy.release_schedule', 'policy.max_wait_days', 'updated_by', 'reason']],
  ['UpdateBufferPolicy without a policy', (t) => t.procurement.updateBufferPolicy({ supplierId: 'VAL', updatedBy: 'a', reason: 'b' }), ['policy']],
  ['UpdateBufferPolicy in another currency', (t) => t.procurement.updateBufferPolicy({
    supplierId: 'VAL', policy: { minValue: { currencyCode: 'USD', units: 5, nanos: 0 } }, reason: 'b',
  }), ['policy.min_value.currency_code']],
  ['ListPolicyChanges', (t) => t.procurement.listPolicyChanges({ supplierId: '' }), ['supplier_id']],
  ['GetBuffer', (t) => t.procurement.getBuffer({ supplierId: bad }), ['supplier_id']],
  ['ListUnassignedDemand', (t) => t.procurement.listUnassignedDemand({ pageToken: 'nope' }), ['page_token']],
  ['RecordDemand', (t) => t.procurement.recordDemand({ demandId: '', sku: 'a b', quantity: 0 }), ['demand_id', 'sku', 'quantity']],
  ['CancelDemand', (t) => t.procurement.cancelDemand({ demandId: '', requestId: 'has space', quantity: -1 }), ['demand_id', 'request_id', 'quantity']],
  ['EvaluateBuffers', (t) => t.procurement.evaluateBuffers({ supplierId: bad }), ['supplier_id']],
  ['GetPurchaseOrder', (t) => t.procurement.getPurchaseOrder({ purchaseOrderId: '' }), ['purchase_order_id']],
  ['ListPurchaseOrders', (t) => t.procurement.listPurchaseOrders({ supplierId: bad, status: 99 as never, pageSize: -1 }), ['supplier_id', 'status']],
  ['ConfirmPurchaseOrder', (t) => t.procurement.confirmPurchaseOrder({
    purchaseOrderId: '', lines: [{ sku: 'A', confirmedQuantity: -1 }, { sku: 'A', confirmedQuantity: 1 }],
  }), ['purchase_order_id', 'lines[0].confirmed_quantity', 'lines[1].sku']],
  ['ConfirmPurchaseOrder with neither lines nor a date', (t) => t.procurement.confirmPurchaseOrder({ purchaseOrderId: 'po-1', note: 'x'.repeat(501) }), ['promised_time', 'note']],
  ['CancelPurchaseOrder', (t) => t.procurement.cancelPurchaseOrder({ purchaseOrderId: '', reason: '' }), ['purchase_order_id', 'reason']],
  ['ReceivePurchaseOrder', (t) => t.procurement.receivePurchaseOrder({ receiptId: '', purchaseOrderId: bad, lines: [{ sku: '', quantity: 0 }] }), [
    'receipt_id', 'purchase_order_id', 'lines[0].sku', 'lines[0].quantity',
  ]],
  ['ReceivePurchaseOrder without lines', (t) => t.procurement.receivePurchaseOrder({ receiptId: 'r', purchaseOrderId: 'p', lines: [] }), ['lines']],
  ['GetLeadTimeStats', (t) => t.procurement.getLeadTimeStats({ supplierId: '', sku: 'a b' }), ['supplier_id', 'sku']],
  ['GetSupplyForecast', (t) => t.procurement.getSupplyForecast({ sku: '' }), ['sku']],
];

describe('bad input on every Procurement RPC', () => {
  it.each(cases)('%s answers INVALID_ARGUMENT naming each bad field', async (_name, call, fields) => {
    const error = await grpcError(call(t));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.reason).toBe('INVALID_FIELDS');
    expect(error.violations.map((v) => v.field).sort()).toEqual([...fields].sort());
  });

  it.each([
    ['GetSupplier', (t: TestApp) => t.procurement.getSupplier({ supplierId: 'NOPE' }), 'SUPPLIER_NOT_FOUND'],
    ['GetBuffer', (t: TestApp) => t.procurement.getBuffer({ supplierId: 'NOPE' }), 'SUPPLIER_NOT_FOUND'],
    ['ListPolicyChanges', (t: TestApp) => t.procurement.listPolicyChanges({ supplierId: 'NOPE' }), 'SUPPLIER_NOT_FOUND'],
    ['UpdateBufferPolicy', (t: TestApp) => t.procurement.updateBufferPolicy({ supplierId: 'NOPE', policy: {}, reason: 'b' }), 'SUPPLIER_NOT_FOUND'],
    ['UpsertSupplierProduct', (t: TestApp) => t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'NOPE', sku: 'A', supplierSku: 'A', unitCost: eur(1), packSize: 1 } }), 'SUPPLIER_NOT_FOUND'],
    ['GetPurchaseOrder', (t: TestApp) => t.procurement.getPurchaseOrder({ purchaseOrderId: 'NOPE' }), 'PURCHASE_ORDER_NOT_FOUND'],
    ['ConfirmPurchaseOrder', (t: TestApp) => t.procurement.confirmPurchaseOrder({ purchaseOrderId: 'NOPE', promisedTime: new Date() }), 'PURCHASE_ORDER_NOT_FOUND'],
    ['CancelPurchaseOrder', (t: TestApp) => t.procurement.cancelPurchaseOrder({ purchaseOrderId: 'NOPE', reason: 'x' }), 'PURCHASE_ORDER_NOT_FOUND'],
    ['ReceivePurchaseOrder', (t: TestApp) => t.procurement.receivePurchaseOrder({ receiptId: 'r-x', purchaseOrderId: 'NOPE', lines: [{ sku: 'A', quantity: 1 }] }), 'PURCHASE_ORDER_NOT_FOUND'],
    ['GetLeadTimeStats', (t: TestApp) => t.procurement.getLeadTimeStats({ supplierId: 'NOPE' }), 'SUPPLIER_NOT_FOUND'],
    ['CancelDemand', (t: TestApp) => t.procurement.cancelDemand({ demandId: 'NOPE', requestId: 'x' }), 'DEMAND_NOT_FOUND'],
  ])('%s answers NOT_FOUND for an unknown resource', async (_name, call, reason) => {
    const error = await grpcError(call(t));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.reason).toBe(reason);
  });

  it('refuses a product priced in another currency than its supplier', async () => {
    const error = await grpcError(t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'VAL', sku: 'A', supplierSku: 'A', unitCost: { currencyCode: 'USD', units: 1, nanos: 0 }, packSize: 1 } }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe('CURRENCY_MISMATCH');
  });
});
