import { status } from '@grpc/grpc-js';
import { WaitingLinesChoice } from '../src/gen/restock/inventory/v1/inventory_service';
import { OrderStatus } from '../src/gen/restock/orders/v1/order';
import { query } from './support/db';
import { grpcError, startTestApp, type Clients, type TestApp } from './support/harness';
import { order, product, settle } from './support/fixtures';
import { expectDemandConservedOnceDelivered, expectOrdersInvariants } from './support/invariants';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Discontinuing a product that has waiting lines: the planner keeps them or cancels them, and must choose.
let t: TestApp;
let smtp: TestSmtpServer;
let planner: Clients;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, env: { SMTP_URL: smtp.url } });
  planner = t.clientsAs({ sub: 'plan-1', roles: ['planner'] });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const discontinued = (sku: string, waitingLines = WaitingLinesChoice.WAITING_LINES_CHOICE_UNSPECIFIED) =>
  planner.inventory.upsertProduct({
    product: { sku, name: `Product ${sku}`, unitPrice: { currencyCode: 'EUR', units: 10, nanos: 0 }, backorderPolicy: { acceptBackorders: true, discontinued: true } },
    waitingLines,
  });

it('refuses to discontinue a product with waiting lines when no choice is made', async () => {
  await product(t, 'DC-A');
  await order(t, [['DC-A', 2]], { customer: 'da' });
  await order(t, [['DC-A', 1]], { customer: 'db' });
  const refused = await grpcError(discontinued('DC-A'));
  expect([refused.code, refused.reason, refused.metadata]).toEqual([
    status.FAILED_PRECONDITION,
    'WAITING_LINES_CHOICE_REQUIRED',
    { sku: 'DC-A', waiting_lines: '2', waiting_units: '3' },
  ]);
  expect((await t.inventory.getProduct({ sku: 'DC-A' })).product!.backorderPolicy!.discontinued).toBe(false);

  await product(t, 'DC-FREE', { onHand: 1 });
  await expect(discontinued('DC-FREE')).resolves.toBeDefined(); // nothing waits: no choice needed
  const notDiscontinuing = await grpcError(
    planner.inventory.upsertProduct({
      product: { sku: 'DC-FREE', name: 'x', unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 }, backorderPolicy: { acceptBackorders: true } },
      waitingLines: WaitingLinesChoice.WAITING_LINES_CHOICE_KEEP,
    }),
  );
  expect([notDiscontinuing.code, notDiscontinuing.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['waiting_lines']]);
});

it('KEEP: the waiting lines stay and are filled from what arrives; new backorders are refused', async () => {
  await product(t, 'DC-K');
  const { order: kept } = await order(t, [['DC-K', 2]], { customer: 'dk' });
  await discontinued('DC-K', WaitingLinesChoice.WAITING_LINES_CHOICE_KEEP);
  await settle(t);
  expect((await t.orders.listBackorders({ sku: 'DC-K' })).backorders.map((b) => [b.orderId, b.backorderedQuantity])).toEqual([[kept!.orderId, 2]]);
  const refused = await grpcError(order(t, [['DC-K', 1]], { customer: 'dk2' }));
  expect([refused.code, refused.reason]).toEqual([status.FAILED_PRECONDITION, 'PRODUCT_DISCONTINUED']);
  const { allocations } = await t.orders.applyReceipt({ receiptId: 'dc-k-r1', sku: 'DC-K', quantity: 2 });
  expect(allocations).toEqual([{ orderId: kept!.orderId, lineId: kept!.lines[0].lineId, quantity: 2 }]);
  expect(smtp.to('dk@example.com').filter((m) => m.subject?.includes('cancellation'))).toEqual([]);
});

it('CANCEL: waiting units are cancelled with a notice, their demand leaves the buffer, allocated units stay', async () => {
  await product(t, 'DC-C');
  await product(t, 'DC-OTHER', { onHand: 5 });
  await product(t, 'DC-PART', { onHand: 1 });
  const { order: whole } = await order(t, [['DC-C', 2]], { customer: 'dc1' });
  const { order: mixed } = await order(t, [['DC-C', 1], ['DC-OTHER', 1]], { customer: 'dc2' });
  await settle(t); // demand reaches Procurement
  await discontinued('DC-C', WaitingLinesChoice.WAITING_LINES_CHOICE_CANCEL);
  await settle(t); // Inventory tells Orders; Orders cancels, emails and cancels the demand

  expect((await t.orders.listBackorders({ sku: 'DC-C' })).backorders).toEqual([]);
  const first = (await t.orders.getOrder({ orderId: whole!.orderId })).order!;
  expect([first.status, first.lines[0].cancelledQuantity, first.cancelReason]).toEqual([OrderStatus.ORDER_STATUS_CANCELLED, 2, 'Product DC-C (DC-C) is discontinued']);
  const second = (await t.orders.getOrder({ orderId: mixed!.orderId })).order!;
  expect([second.status, second.lines.map((l) => [l.cancelledQuantity, l.allocatedQuantity])]).toEqual([OrderStatus.ORDER_STATUS_READY_TO_SHIP, [[1, 0], [0, 1]]]);
  const [notice] = smtp.to('dc1@example.com', /cancellation/);
  expect(notice.text).toContain('Reason: Product DC-C (DC-C) is discontinued');
  expect(notice.text).toContain('DC-C | 2 cancelled');
  const cancelledBy = await query<{ cancelledBy: string }>(t.databaseUrl, 'SELECT DISTINCT cancelled_by FROM orders.cancellation WHERE order_id = ANY($1)', [[whole!.orderId, mixed!.orderId]]);
  expect(cancelledBy).toEqual([{ cancelledBy: 'plan-1' }]);
  const buffered = await query(t.databaseUrl, 'SELECT demand_id FROM procurement.buffered_demand WHERE sku = $1', ['DC-C']);
  expect(buffered).toEqual([]);
  await expectOrdersInvariants(t, 'DC-C');
  await expectDemandConservedOnceDelivered(t.databaseUrl);

  // A product already discontinued with KEEP can have its kept lines cancelled later; partly allocated lines keep their units.
  const { order: part } = await order(t, [['DC-PART', 3]], { customer: 'dp' }); // 1 reserved, 2 waiting
  await discontinued('DC-PART', WaitingLinesChoice.WAITING_LINES_CHOICE_KEEP);
  await discontinued('DC-PART', WaitingLinesChoice.WAITING_LINES_CHOICE_CANCEL);
  await settle(t);
  const line = (await t.orders.getOrder({ orderId: part!.orderId })).order!.lines[0];
  expect([line.allocatedQuantity, line.backorderedQuantity, line.cancelledQuantity]).toEqual([1, 0, 2]);
  await expectOrdersInvariants(t, 'DC-PART');
});
