import { status } from '@grpc/grpc-js';
import { customerLink, customerLinksOf } from '../src/orders/customer-links';
import { OrderLineStatus } from '../src/gen/restock/orders/v1/order';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { order, ordersDeps, product, settle } from './support/fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

let t: TestApp;
let smtp: TestSmtpServer;
const now = new Date('2026-03-02T09:00:00Z');
const clock = { now: () => now };

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url, CONSOLE_PUBLIC_URL: 'https://shop.example.com' } });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

/** The order's link as its confirmation email carries it (through the real SMTP server). */
async function linkOf(order: { orderId: string; customerEmail: string }): Promise<string> {
  await settle(t);
  const [confirmation] = smtp.to(order.customerEmail, /confirmed/).filter((m) => m.subject!.includes(order.orderId));
  const url = new RegExp(`https://shop\\.example\\.com/orders/(${order.orderId}\\.1\\.\\d+\\.[\\w-]{43})\\n`).exec(confirmation.text as string)?.[1];
  expect(confirmation.html).toContain(`<a href="https://shop.example.com/orders/${url}">`);
  expect(confirmation.text).toContain('You can cancel the waiting items at any time on your order page');
  return url!;
}

/** A link to the order made as of `at`, as an email sent then carried it. */
function linkMadeAt(order: { orderId: string; customerId: string }, at: Date): string {
  return customerLink(customerLinksOf(ordersDeps(t)), order, at).split('/').pop()!;
}

describe('the customer order link', () => {
  it('opens its order until CUSTOMER_LINK_TTL_DAYS (90) after it was made', async () => {
    await product(t, 'LINK-A', { onHand: 1 });
    const { order: placed } = await order(t, [['LINK-A', 3]], { customer: 'lia' });
    const link = await linkOf(placed!);
    const opened = await t.orders.openCustomerLink({ link });
    expect(opened.order).toEqual(placed);
    expect(opened.linkExpireTime).toEqual(new Date('2026-05-31T09:00:00Z'));
    const expired = linkMadeAt(placed!, new Date(now.getTime() - 90 * 86_400_000));
    expect((await t.orders.openCustomerLink({ link: linkMadeAt(placed!, new Date(now.getTime() - 89 * 86_400_000)) })).order).toEqual(placed);
    const refused = await grpcError(t.orders.openCustomerLink({ link: expired }));
    expect([refused.code, refused.reason]).toEqual([status.FAILED_PRECONDITION, 'LINK_EXPIRED']);
  });

  it('cancels only the waiting units of the named lines, once per request id, as the link; the customer is told', async () => {
    await product(t, 'LINK-B', { onHand: 2 });
    await product(t, 'LINK-C');
    const { order: placed } = await order(t, [['LINK-B', 5], ['LINK-C', 4]], { customer: 'max' });
    const link = await linkOf(placed!);
    const [b] = placed!.lines;
    const request = { link, lineIds: [b.lineId], requestId: 'cancel-waiting-1' };
    const { order: after } = await t.orders.cancelWaitingUnits(request);
    expect(after!.lines.map((l) => [l.sku, l.allocatedQuantity, l.backorderedQuantity, l.cancelledQuantity])).toEqual([
      ['LINK-B', 2, 0, 3],
      ['LINK-C', 0, 4, 0],
    ]);
    expect((await t.orders.cancelWaitingUnits(request)).order).toEqual(after); // a retry cancels nothing more
    const { order: all } = await t.orders.cancelWaitingUnits({ link, lineIds: [], requestId: 'cancel-waiting-2' });
    expect(all!.lines.map((l) => [l.backorderedQuantity, l.cancelledQuantity, l.status])).toEqual([
      [0, 3, OrderLineStatus.ORDER_LINE_STATUS_ALLOCATED],
      [0, 4, OrderLineStatus.ORDER_LINE_STATUS_CANCELLED],
    ]);
    await settle(t);
    const cancelled = smtp.to('max@example.com').filter((m) => /cancel/i.test(m.subject ?? ''));
    expect(cancelled).toHaveLength(2);
  });

  it('refuses a tampered link, another order\'s line or a bad request, and changes nothing', async () => {
    await product(t, 'LINK-D');
    const { order: placed } = await order(t, [['LINK-D', 2]], { customer: 'ned' });
    const { order: other } = await order(t, [['LINK-D', 1]], { customer: 'ned' });
    const link = await linkOf(placed!);
    const [resource, generation, expiry, signature] = link.split('.');
    const moved = [other!.orderId, generation, expiry, signature].join('.');
    for (const tampered of [moved, [resource, '2', expiry, signature].join('.'), [resource, generation, String(Number(expiry) + 1), signature].join('.'), 'nonsense']) {
      const refused = await grpcError(t.orders.cancelWaitingUnits({ link: tampered, lineIds: [], requestId: '' }));
      expect([refused.code, refused.reason]).toEqual([status.FAILED_PRECONDITION, 'LINK_INVALID']);
    }
    const wrongLine = await grpcError(t.orders.cancelWaitingUnits({ link, lineIds: [other!.lines[0].lineId], requestId: '' }));
    expect(wrongLine.code).toBe(status.NOT_FOUND);
    const invalid = await grpcError(t.orders.cancelWaitingUnits({ link: '', lineIds: ['bad id!'], requestId: '' }));
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.violations.map((v) => v.field)).toEqual(['link', 'line_ids[0]']);
    expect((await t.orders.getOrder({ orderId: placed!.orderId })).order).toEqual(placed);
    expect((await t.orders.getOrder({ orderId: other!.orderId })).order).toEqual(other);
  });
});
