import { query } from './support/db';
import { order, product } from './support/fixtures';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { seedSupplier } from './support/procurement-fixtures';

// Audited changes record who made them: the subject of the caller's token, never a name the request gives.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

it('records who adjusted stock in the ledger row', async () => {
  await product(t, 'AUD-1');
  const { inventory } = t.clientsAs({ sub: 'wendy', roles: ['warehouse'] });
  await inventory.adjustStock({ requestId: 'aud-count', sku: 'AUD-1', delta: 3, reason: 'count' });
  expect(await query(t.databaseUrl, `SELECT recorded_by FROM inventory.stock_movement WHERE reference = 'aud-count'`)).toEqual([{ recordedBy: 'wendy' }]);
});

it('records who cancelled an order and a line', async () => {
  await product(t, 'AUD-2', { onHand: 1 });
  const { orders } = t.clientsAs({ sub: 'shop-7', roles: ['storefront'] });
  const placed = (await order(t, [['AUD-2', 3]])).order!;
  await orders.cancelOrderLine({ orderId: placed.orderId, lineId: placed.lines[0].lineId, quantity: 1, reason: 'fewer' });
  const other = (await order(t, [['AUD-2', 2]])).order!;
  await t.clientsAs({ sub: 'shop-8', roles: ['storefront'] }).orders.cancelOrder({ orderId: other.orderId, reason: 'changed mind' });
  const rows = await query<{ orderId: string; cancelledBy: string }>(t.databaseUrl, `SELECT order_id, cancelled_by FROM orders.cancellation ORDER BY cancellation_id`);
  expect(rows).toEqual([
    { orderId: placed.orderId, cancelledBy: 'shop-7' },
    { orderId: other.orderId, cancelledBy: 'shop-8' },
  ]);
});

it('records who changed a buffer policy, and refuses an updated_by naming someone else', async () => {
  await seedSupplier(t, 'AUD-S', {}, [{ sku: 'AUD-3' }]);
  const { procurement } = t.clientsAs({ sub: 'pat', roles: ['planner'] });
  await procurement.updateBufferPolicy({ supplierId: 'AUD-S', policy: { minQuantity: 10 }, reason: 'bigger' });
  const refused = await grpcError(procurement.updateBufferPolicy({ supplierId: 'AUD-S', policy: { minQuantity: 1 }, updatedBy: 'the-boss', reason: 'smaller' }));
  expect(refused.violations.map((v) => v.field)).toEqual(['updated_by']);
  const { policyChanges } = await procurement.listPolicyChanges({ supplierId: 'AUD-S' });
  expect([policyChanges[0].updatedBy, policyChanges[0].reason]).toEqual(['pat', 'bigger']);
  expect(policyChanges.map((c) => c.updatedBy)).not.toContain('the-boss');
});

it('records who released a buffer by hand on the purchase order', async () => {
  await seedSupplier(t, 'AUD-R', { minQuantity: 1000 }, [{ sku: 'AUD-4' }]);
  await t.procurement.recordDemand({ demandId: 'aud-demand', sku: 'AUD-4', quantity: 2 });
  const { purchaseOrders } = await t.clientsAs({ sub: 'pat', roles: ['planner'] }).procurement.evaluateBuffers({ supplierId: 'AUD-R', force: true });
  expect(purchaseOrders).toHaveLength(1);
  expect(await query(t.databaseUrl, `SELECT released_by FROM procurement.purchase_order WHERE purchase_order_id = $1`, [purchaseOrders[0].purchaseOrderId])).toEqual([{ releasedBy: 'pat' }]);
});
