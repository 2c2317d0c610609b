import { status } from '@grpc/grpc-js';
import { customerLink, customerLinksOf } from '../src/orders/customer-links';
import { sqlOf } from '../src/platform/orm';
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

/** The order's link as its emails carry it, made as of `at`. */
async function linkOf(orderId: string, at = now): Promise<string> {
  const deps = ordersDeps(t);
  const url = await customerLink(sqlOf(t.app.orms.orders!.em.fork()), customerLinksOf(deps), orderId, at);
  expect(url.startsWith(`https://shop.example.com/orders/${orderId}.1.`)).toBe(true);
  return url.split('/').pop()!;
}

describe('the customer order link', () => {
  it('opens its order until CUSTOMER_LINK_TTL_DAYS (90) after it was made', async () => {
    await product(t, 'LINK-A', { onHand: 1 });
    const { order: placed } = await order(t, [['LINK-A', 3]], { customer: 'lia' });
    const link = await linkOf(placed!.orderId);
    const opened = await t.orders.openCustomerLink({ link });
    expect(opened.order).toEqual(placed);
    expect(opened.linkExpireTime).toEqual(new Date('2026-05-31T09:00:00Z'));
    const expired = await linkOf(placed!.orderId, new Date(now.getTime() - 90 * 86_400_000));
    const refused = await grpcError(t.orders.openCustomerLink({ link: expired }));
    expect([refused.code, refused.reason]).toEqual([status.FAILED_PRECONDITION, 'LINK_EXPIRED']);
  });

  it('cancels only the waiting units of the named lines, once per request id, as the link; the customer is told', async () => {
    await product(t, 'LINK-B', { onHand: 2 });
    await product(t, 'LINK-C');
    const { order: placed } = await order(t, [['LINK-B', 5], ['LINK-C', 4]], { customer: 'max' });
    await settle(t);
    const link = await linkOf(placed!.orderId);
    const [b, c] = placed!.lines;
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
    expect(c.lineId).not.toBe(b.lineId);
  });

  it('refuses a tampered link, another order\'s line or a bad request, and changes nothing', async () => {
    await product(t, 'LINK-D');
    const { order: placed } = await order(t, [['LINK-D', 2]], { customer: 'ned' });
    const { order: other } = await order(t, [['LINK-D', 1]], { customer: 'ned' });
    const link = await linkOf(placed!.orderId);
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
