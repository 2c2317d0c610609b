import { status } from '@grpc/grpc-js';
import type { AddressObject } from 'mailparser';
import { ArrivalSource } from '../src/gen/restock/procurement/v1/buffer';
import { PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { grpcError, startTestApp, waitFor, type TestApp } from './support/harness';
import { query } from './support/db';
import { eur, seedSupplier, TestClock } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
const DAY = 86_400_000;
let t: TestApp;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url } });
});
afterEach(() => {
  smtp.down = false;
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const drain = () => t.app.dispatchers.procurement!.drain();
const mailsFor = (number: string) => smtp.messages.filter((m) => m.subject?.includes(number));

/** A supplier with two SKUs and a PO released for them (not yet emailed). */
async function releasedPurchaseOrder(supplierId: string) {
  await seedSupplier(t, supplierId, {}, [
    { sku: `${supplierId}-BOLT`, packSize: 10, cents: 125 },
    { sku: `${supplierId}-NUT`, minOrderQuantity: 5, cents: 40 },
  ]);
  await t.procurement.recordDemand({ demandId: `${supplierId}-d1`, sku: `${supplierId}-BOLT`, quantity: 12 });
  await t.procurement.recordDemand({ demandId: `${supplierId}-d2`, sku: `${supplierId}-BOLT`, quantity: 3 });
  await t.procurement.recordDemand({ demandId: `${supplierId}-d3`, sku: `${supplierId}-NUT`, quantity: 2 });
  const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId, force: true });
  return purchaseOrders[0];
}

async function sentPurchaseOrder(supplierId: string) {
  const po = await releasedPurchaseOrder(supplierId);
  await drain();
  return (await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!;
}

describe('purchase order email', () => {
  it('emails the supplier the PO with its lines in text, HTML and a CSV attachment, then marks it SENT', async () => {
    const po = await releasedPurchaseOrder('MAIL');
    expect(mailsFor(po.number)).toHaveLength(0);
    clock.set('2026-03-02T08:10:00Z');
    await drain();
    const [mail] = mailsFor(po.number);
    expect((mail.to as AddressObject).value[0].address).toBe('orders@mail.example');
    expect(mail.subject).toBe(`Purchase order ${po.number}`);
    expect(mail.text).toContain('S-MAIL-BOLT (our SKU MAIL-BOLT): 20 x 1.25 EUR = 25.00 EUR');
    expect(mail.text).toContain('Requested delivery date: 2026-03-09');
    expect(mail.text).toContain('Total: 27.00 EUR');
    // the link to the supplier's page of this PO, first generation, expiring SUPPLIER_LINK_TTL_DAYS (60) after sending
    const link = new RegExp(`/supplier/purchase-orders/(${po.purchaseOrderId}\\.1\\.(\\d+)\\.[\\w-]{43})\\n`).exec(mail.text as string);
    expect(Number(link?.[2])).toBe(Date.parse('2026-05-01T08:10:00Z') / 1000);
    expect(mail.html).toContain(`/supplier/purchase-orders/${link![1]}">`);
    expect(mail.html).toContain('<td>S-MAIL-NUT</td><td>MAIL-NUT</td><td>5</td><td>0.40 EUR</td><td>2.00 EUR</td>');
    const [csv] = mail.attachments;
    expect(csv.filename).toBe(`${po.number}.csv`);
    expect(csv.contentType).toBe('text/csv');
    const rows = csv.content.toString('utf8').trim().split('\r\n').map((line) => line.split(','));
    expect(rows).toEqual([
      ['supplier_sku', 'sku', 'quantity', 'unit_cost', 'line_total', 'currency'],
      ['S-MAIL-BOLT', 'MAIL-BOLT', '20', '1.25', '25.00', 'EUR'],
      ['S-MAIL-NUT', 'MAIL-NUT', '5', '0.40', '2.00', 'EUR'],
    ]);
    const { purchaseOrder } = await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId });
    expect(purchaseOrder?.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT);
    expect(purchaseOrder?.sendTime).toEqual(new Date('2026-03-02T08:10:00Z'));
    await drain();
    expect(mailsFor(po.number)).toHaveLength(1);
  });

  it('keeps the PO ISSUED while SMTP is down, retries visibly with backoff, and sends it once SMTP is back', async () => {
    smtp.down = true;
    const po = await releasedPurchaseOrder('OUTAGE');
    await drain();
    const [pending] = await query<{ attempts: number; status: string; lastError: string }>(
      t.databaseUrl,
      `SELECT attempts, status, last_error FROM procurement.outbox WHERE dedupe_key = $1`,
      [`purchase-order-email:${po.purchaseOrderId}`],
    );
    expect(pending.status).toBe('pending');
    expect(pending.attempts).toBeGreaterThanOrEqual(1);
    expect(pending.lastError).toMatch(/temporarily unavailable/);
    expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder?.status).toBe(
      PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED,
    );
    expect(mailsFor(po.number)).toHaveLength(0);

    smtp.down = false;
    await waitFor(async () => {
      await drain();
      return mailsFor(po.number).length > 0;
    }, { what: 'the PO email after the outage' });
    expect(mailsFor(po.number)).toHaveLength(1);
    expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder?.status).toBe(
      PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT,
    );
  });

  it('emails a PO the supplier confirmed before the email went out, keeping it CONFIRMED with its send time', async () => {
    smtp.down = true;
    const po = await releasedPurchaseOrder('EARLYCONF');
    await drain();
    const promisedTime = new Date('2026-03-20T00:00:00Z');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime });
    smtp.down = false;
    clock.set('2026-03-02T08:20:00Z');
    await waitFor(async () => {
      await drain();
      return mailsFor(po.number).length > 0;
    }, { what: 'the PO email after the confirmation' });
    const { purchaseOrder } = await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId });
    expect(purchaseOrder?.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED);
    expect(purchaseOrder?.sendTime).toEqual(new Date('2026-03-02T08:20:00Z'));
    expect(purchaseOrder?.promisedTime).toEqual(promisedTime);
  });

  it('never emails a PO cancelled before its email went out, and returns its demand to the buffer', async () => {
    const po = await releasedPurchaseOrder('EARLYCXL');
    const { purchaseOrder } = await t.procurement.cancelPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'wrong supplier' });
    expect(purchaseOrder?.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CANCELLED);
    expect(purchaseOrder?.cancelReason).toBe('wrong supplier');
    await drain();
    expect(mailsFor(po.number)).toHaveLength(0);
    const { buffer } = await t.procurement.getBuffer({ supplierId: 'EARLYCXL' });
    expect(buffer?.lines.map((l) => [l.sku, l.quantity])).toEqual([['EARLYCXL-BOLT', 15], ['EARLYCXL-NUT', 2]]);
    const again = await t.procurement.evaluateBuffers({ supplierId: 'EARLYCXL', force: true });
    expect(again.purchaseOrders[0].lines.map((l) => l.demandedQuantity)).toEqual([15, 2]);
  });
});

describe('purchase order lifecycle', () => {
  it('confirms a promise and lower quantities; the declined demand, newest first, goes to the next supplier (none here: unassigned)', async () => {
    const po = await sentPurchaseOrder('CONF');
    const promisedTime = new Date('2026-03-12T10:00:00Z');
    const { purchaseOrder } = await t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId,
      promisedTime,
      lines: [{ sku: 'CONF-BOLT', confirmedQuantity: 10 }],
    });
    expect(purchaseOrder?.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED);
    expect(purchaseOrder?.promisedTime).toEqual(promisedTime);
    expect(purchaseOrder?.expectedTime).toEqual(promisedTime);
    expect(purchaseOrder?.lines.map((l) => [l.sku, l.quantity, l.confirmedQuantity, l.demandedQuantity])).toEqual([
      ['CONF-BOLT', 20, 10, 10],
      ['CONF-NUT', 5, 5, 2],
    ]);
    // CONF is the only supplier of CONF-BOLT: the 5 units it declined wait unassigned, shown as declined.
    const { buffer } = await t.procurement.getBuffer({ supplierId: 'CONF' });
    expect(buffer?.lines).toEqual([]);
    const unassigned = (await t.procurement.listUnassignedDemand({})).demands.find((d) => d.sku === 'CONF-BOLT');
    expect(unassigned).toMatchObject({ quantity: 5, declinedQuantity: 5 });
    // d2 (3 units, newest) came back whole, d1 gave back 2 of 12 and keeps 10 on the PO.
    expect(await t.procurement.cancelDemand({ demandId: 'CONF-d1', quantity: 12, requestId: 'conf-c1' })).toEqual({ cancelledQuantity: 2, onPurchaseOrderQuantity: 10 });
    expect(await t.procurement.cancelDemand({ demandId: 'CONF-d2', quantity: 0, requestId: 'conf-c2' })).toEqual({ cancelledQuantity: 3, onPurchaseOrderQuantity: 0 });

    const same = await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime, lines: [{ sku: 'CONF-BOLT', confirmedQuantity: 10 }] });
    expect(same.purchaseOrder).toEqual(purchaseOrder);
    // confirmed again with another date: a revision, which moves every line still to come
    const revised = (await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: new Date('2026-03-20T00:00:00Z') })).purchaseOrder!;
    expect(revised.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED);
    expect(revised.revisionCount).toBe(1);
    expect(revised.lines.map((l) => [l.sku, l.confirmedQuantity, l.promisedTime])).toEqual([
      ['CONF-BOLT', 10, new Date('2026-03-20T00:00:00Z')],
      ['CONF-NUT', 5, new Date('2026-03-20T00:00:00Z')],
    ]);
  });

  it('refuses to confirm more than was ordered, or a SKU not on the PO', async () => {
    const po = await sentPurchaseOrder('OVERCONF');
    const more = await grpcError(t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: new Date(), lines: [{ sku: 'OVERCONF-NUT', confirmedQuantity: 6 }] }));
    expect(more.reason).toBe('CONFIRMED_QUANTITY_EXCEEDS_ORDER');
    const other = await grpcError(t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: new Date(), lines: [{ sku: 'ELSE', confirmedQuantity: 1 }] }));
    expect(other.reason).toBe('SKU_NOT_ON_PURCHASE_ORDER');
  });

  it('receives partial and over-receipts once per receipt id, and hands each line to Orders.ApplyReceipt through the outbox', async () => {
    clock.set('2026-03-03T00:00:00Z');
    const po = await sentPurchaseOrder('RCV');
    expect(po.sendTime).toEqual(new Date('2026-03-03T00:00:00Z'));
    const receive = (receiptId: string, lines: { sku: string; quantity: number }[], days: number) =>
      t.procurement.receivePurchaseOrder({ receiptId, purchaseOrderId: po.purchaseOrderId, lines, receivedTime: new Date(po.sendTime!.getTime() + days * DAY) });

    const partial = await receive('rcv-1', [{ sku: 'RCV-BOLT', quantity: 8 }], 6);
    expect(partial.purchaseOrder?.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_PARTIALLY_RECEIVED);
    const retried = await Promise.all([receive('rcv-1', [{ sku: 'RCV-BOLT', quantity: 8 }], 6), receive('rcv-1', [{ sku: 'RCV-BOLT', quantity: 8 }], 6)]);
    expect(retried.map((r) => r.purchaseOrder?.lines[0].receivedQuantity)).toEqual([8, 8]);
    const reused = await grpcError(receive('rcv-1', [{ sku: 'RCV-BOLT', quantity: 9 }], 6));
    expect(reused.code).toBe(status.ALREADY_EXISTS);

    const rest = await receive('rcv-2', [{ sku: 'RCV-BOLT', quantity: 14 }, { sku: 'RCV-NUT', quantity: 5 }], 10);
    expect(rest.purchaseOrder?.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_RECEIVED);
    expect(rest.purchaseOrder?.lines.map((l) => [l.sku, l.quantity, l.receivedQuantity])).toEqual([['RCV-BOLT', 20, 22], ['RCV-NUT', 5, 5]]);

    const messages = await query<{ payload: unknown }>(
      t.databaseUrl,
      `SELECT payload FROM procurement.outbox WHERE topic = 'orders.apply-receipt' AND dedupe_key LIKE 'apply-receipt:rcv-%' ORDER BY id`,
    );
    expect(messages.map((m) => m.payload)).toEqual([
      { receiptId: 'rcv-1:RCV-BOLT', sku: 'RCV-BOLT', quantity: 8 },
      { receiptId: 'rcv-2:RCV-BOLT', sku: 'RCV-BOLT', quantity: 14 },
      { receiptId: 'rcv-2:RCV-NUT', sku: 'RCV-NUT', quantity: 5 },
    ]);
    const cancel = await grpcError(t.procurement.cancelPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'too late' }));
    expect(cancel.reason).toBe('INVALID_PURCHASE_ORDER_TRANSITION');

    const { stats } = await t.procurement.getLeadTimeStats({ supplierId: 'RCV' });
    expect(stats).toMatchObject({ observations: 3, quotedDays: 7, p50Days: 10 });
    expect(stats?.meanDays).toBeCloseTo(26 / 3);
    expect(stats?.expectedDays).toBeCloseTo((3 / 8) * (26 / 3) + (5 / 8) * 7);
    expect((await t.procurement.getLeadTimeStats({ supplierId: 'RCV', sku: 'RCV-NUT' })).stats).toMatchObject({ observations: 1, meanDays: 10 });
  });
});

describe('cancelling a sent purchase order', () => {
  it('tells the supplier, returns the demand to the buffer and lists the PO under CANCELLED', async () => {
    const po = await sentPurchaseOrder('SENTCXL');
    const sent = await t.procurement.listPurchaseOrders({ supplierId: 'SENTCXL', status: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT });
    expect(sent.purchaseOrders.map((p) => p.purchaseOrderId)).toEqual([po.purchaseOrderId]);
    await t.procurement.cancelPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'customer orders withdrawn' });
    await drain();
    const notices = smtp.messages.filter((m) => m.subject === `Cancellation of purchase order ${po.number}`);
    expect(notices).toHaveLength(1);
    expect(notices[0].text).toContain('customer orders withdrawn');
    expect((await t.procurement.getBuffer({ supplierId: 'SENTCXL' })).buffer?.totalQuantity).toBe(17);
    const cancelled = await t.procurement.listPurchaseOrders({ supplierId: 'SENTCXL', status: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CANCELLED });
    expect(cancelled.purchaseOrders.map((p) => p.purchaseOrderId)).toEqual([po.purchaseOrderId]);
    expect((await t.procurement.listPurchaseOrders({ supplierId: 'SENTCXL', status: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT })).purchaseOrders).toEqual([]);
  });
});

describe('supply forecast', () => {
  it('forecasts an open PO at send time plus the expected lead time, then at the promised time, then buffered demand', async () => {
    clock.set('2026-03-04T00:00:00Z');
    const po = await sentPurchaseOrder('FC');
    await t.procurement.recordDemand({ demandId: 'FC-later', sku: 'FC-BOLT', quantity: 4 });
    const before = await t.procurement.getSupplyForecast({ sku: 'FC-BOLT' });
    expect(before.arrivals).toEqual([
      { expectedTime: new Date(po.sendTime!.getTime() + 7 * DAY), latestTime: new Date(po.sendTime!.getTime() + 7 * DAY), quantity: 20, source: ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER, purchaseOrderId: po.purchaseOrderId },
      { expectedTime: new Date('2026-03-16T09:00:00Z'), latestTime: new Date('2026-03-16T09:00:00Z'), quantity: 10, source: ArrivalSource.ARRIVAL_SOURCE_BUFFER, purchaseOrderId: '' },
    ]);
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: new Date('2026-03-20T00:00:00Z'), lines: [{ sku: 'FC-BOLT', confirmedQuantity: 15 }] });
    const after = await t.procurement.getSupplyForecast({ sku: 'FC-BOLT' });
    expect(after.arrivals.map((a) => [a.source, a.quantity, a.expectedTime])).toEqual([
      [ArrivalSource.ARRIVAL_SOURCE_BUFFER, 10, new Date('2026-03-16T09:00:00Z')],
      [ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER, 15, new Date('2026-03-20T00:00:00Z')],
    ]);
    const refreshes = await query<{ dedupeKey: string; payload: unknown }>(
      t.databaseUrl,
      `SELECT dedupe_key, payload FROM procurement.outbox WHERE topic = 'orders.refresh-etas' AND payload::text LIKE '%FC-BOLT%' ORDER BY id`,
    );
    expect(refreshes.map((r) => r.dedupeKey.split(':').slice(2, 3)[0])).toEqual(['demand', 'demand', 'released', 'sent', 'demand', 'confirmed']);
    expect(refreshes[0].payload).toEqual({ skus: ['FC-BOLT'] });
  });

  it('has no forecast for a SKU nobody supplies', async () => {
    expect((await t.procurement.getSupplyForecast({ sku: 'NOBODY' })).arrivals).toEqual([]);
  });
});
