import { status } from '@grpc/grpc-js';
import { EtaSource } from '../src/gen/restock/orders/v1/order';
import { ArrivalSource } from '../src/gen/restock/procurement/v1/buffer';
import { PurchaseOrderStatus, RevisionChannel } from '../src/gen/restock/procurement/v1/purchase_order';
import { query } from './support/db';
import { order, product, settleAll } from './support/fixtures';
import { grpcError, startTestApp, type Clients, type TestApp } from './support/harness';
import { seedSupplier, TestClock } from './support/procurement-fixtures';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Per-line promises, declines and revisions through the real gRPC API: the PO, its history, the forecast and Orders' ETAs.
const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let t: TestApp;
let smtp: TestSmtpServer;
let consoleApi: Clients;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url } });
  consoleApi = t.clientsAs({ sub: 'restock-console', roles: ['service'] });
});
afterAll(async () => {
  await t.stop();
  await smtp.close();
});

const at = (iso: string) => new Date(iso);

/** A supplier with three SKUs (packs of 1) and a sent PO for 10, 5 and 4 units of them. */
async function sentPurchaseOrder(supplierId: string) {
  const skus = ['A', 'B', 'C'].map((letter) => `${supplierId}-${letter}`);
  await seedSupplier(t, supplierId, {}, skus.map((sku) => ({ sku })));
  for (const [i, quantity] of [10, 5, 4].entries()) await t.procurement.recordDemand({ demandId: `${supplierId}-d${i}`, sku: skus[i], quantity });
  const [po] = (await t.procurement.evaluateBuffers({ supplierId, force: true })).purchaseOrders;
  await settleAll(t);
  return { po: (await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!, skus };
}

describe('per-line confirmation', () => {
  it('confirms each line with its own date or the request\'s, declines one, and keeps the answer as revision 1', async () => {
    const { po, skus: [a, b, c] } = await sentPurchaseOrder('PL');
    const { purchaseOrder } = await t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId,
      promisedTime: at('2026-03-20T10:00:00Z'),
      lines: [
        { sku: a, confirmedQuantity: 10, promisedTime: at('2026-03-12T10:00:00Z') },
        { sku: b, confirmedQuantity: 3, promisedTime: undefined },
        { sku: c, confirmedQuantity: 0, promisedTime: undefined },
      ],
      note: 'C is discontinued at our end',
    });
    expect(purchaseOrder!.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED);
    expect(purchaseOrder!.lines.map((l) => [l.sku, l.confirmedQuantity, l.demandedQuantity, l.promisedTime])).toEqual([
      [a, 10, 10, at('2026-03-12T10:00:00Z')],
      [b, 3, 3, at('2026-03-20T10:00:00Z')],
      [c, 0, 0, undefined],
    ]);
    // the PO's own promise is the latest of its lines still to come
    expect(purchaseOrder!.promisedTime).toEqual(at('2026-03-20T10:00:00Z'));
    expect(purchaseOrder!.revisionCount).toBe(0);
    // what B and C no longer cover is declined: no other supplier sells them, so it waits unassigned
    expect((await t.procurement.getBuffer({ supplierId: 'PL' })).buffer!.lines).toEqual([]);
    const unassigned = (await t.procurement.listUnassignedDemand({})).demands.filter((d) => d.sku.startsWith('PL-'));
    expect(unassigned.map((d) => [d.sku, d.quantity, d.declinedQuantity])).toEqual([[b, 2, 2], [c, 4, 4]]);

    const { revisions } = await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId });
    expect(revisions).toEqual([{
      revisionId: expect.any(String),
      purchaseOrderId: po.purchaseOrderId,
      revisionNumber: 1,
      reviseTime: clock.now(),
      revisedBy: 'test-admin',
      channel: RevisionChannel.REVISION_CHANNEL_API,
      note: 'C is discontinued at our end',
      lines: [
        { sku: a, oldConfirmedQuantity: undefined, newConfirmedQuantity: 10, oldPromisedTime: undefined, newPromisedTime: at('2026-03-12T10:00:00Z') },
        { sku: b, oldConfirmedQuantity: undefined, newConfirmedQuantity: 3, oldPromisedTime: undefined, newPromisedTime: at('2026-03-20T10:00:00Z') },
        { sku: c, oldConfirmedQuantity: undefined, newConfirmedQuantity: 0, oldPromisedTime: undefined, newPromisedTime: undefined },
      ],
    }]);

    // the forecast takes each line's own date: A at its date, B at the request's, C none
    const arrivals = async (sku: string) => (await t.procurement.getSupplyForecast({ sku })).arrivals.map((r) => [r.source, r.quantity, r.expectedTime]);
    expect(await arrivals(a)).toEqual([[ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER, 10, at('2026-03-12T10:00:00Z')]]);
    expect(await arrivals(b)).toEqual([[ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER, 3, at('2026-03-20T10:00:00Z')]]);
    expect(await arrivals(c)).toEqual([]);

    // the same answer again changes nothing and records nothing
    const same = await t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId,
      lines: [{ sku: a, confirmedQuantity: 10, promisedTime: at('2026-03-12T10:00:00Z') }, { sku: c, confirmedQuantity: 0, promisedTime: undefined }],
    });
    expect(same.purchaseOrder).toEqual(purchaseOrder);
    expect((await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId })).revisions).toHaveLength(1);
  });

  it('needs a date for every line with units to come, and refuses more than ordered', async () => {
    const { po, skus: [a, b] } = await sentPurchaseOrder('NODATE');
    // B and C are not listed: on a first confirmation they come in full, and nothing says when
    const undated = await grpcError(t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId, lines: [{ sku: a, confirmedQuantity: 10, promisedTime: at('2026-03-12T00:00:00Z') }],
    }));
    expect(undated.code).toBe(status.INVALID_ARGUMENT);
    expect(undated.violations).toEqual([{ field: 'promised_time', description: 'is required: no promised time for NODATE-B, NODATE-C' }]);
    const listedUndated = await grpcError(t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, lines: [{ sku: b, confirmedQuantity: 1, promisedTime: undefined }] }));
    expect(listedUndated.violations.map((v) => v.field)).toEqual(['promised_time']);
    expect(listedUndated.violations[0].description).toContain('NODATE-A, NODATE-B, NODATE-C');
    const more = await grpcError(t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: clock.now(), lines: [{ sku: b, confirmedQuantity: 6, promisedTime: undefined }] }));
    expect([more.code, more.reason, more.metadata.sku]).toEqual([status.FAILED_PRECONDITION, 'CONFIRMED_QUANTITY_EXCEEDS_ORDER', b]);
    expect((await t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId })).purchaseOrder!.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT);
    expect((await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId })).revisions).toEqual([]);
  });
});

describe('revisions', () => {
  it('revises a CONFIRMED PO line by line and keeps each change with its old and new values', async () => {
    const { po, skus: [a, b, c] } = await sentPurchaseOrder('REV');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: at('2026-03-12T10:00:00Z'), lines: [{ sku: c, confirmedQuantity: 0, promisedTime: undefined }] });
    clock.set('2026-03-05T09:00:00Z');
    // A slips, the declined C comes after all (2 of 4); B is not listed and keeps its answer
    const { purchaseOrder } = await t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId,
      lines: [
        { sku: a, confirmedQuantity: 10, promisedTime: at('2026-03-19T10:00:00Z') },
        { sku: c, confirmedQuantity: 2, promisedTime: at('2026-03-26T10:00:00Z') },
      ],
      note: 'factory delay',
    });
    expect(purchaseOrder!.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED);
    expect(purchaseOrder!.revisionCount).toBe(1);
    expect(purchaseOrder!.promisedTime).toEqual(at('2026-03-26T10:00:00Z'));
    expect(purchaseOrder!.lines.map((l) => [l.sku, l.confirmedQuantity, l.promisedTime])).toEqual([
      [a, 10, at('2026-03-19T10:00:00Z')],
      [b, 5, at('2026-03-12T10:00:00Z')],
      [c, 2, at('2026-03-26T10:00:00Z')],
    ]);
    // a later date for every line still to come, with no lines listed
    clock.set('2026-03-06T09:00:00Z');
    const moved = (await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: at('2026-03-27T10:00:00Z') })).purchaseOrder!;
    expect(moved.lines.map((l) => l.promisedTime)).toEqual([at('2026-03-27T10:00:00Z'), at('2026-03-27T10:00:00Z'), at('2026-03-27T10:00:00Z')]);
    expect(moved.revisionCount).toBe(2);

    const page1 = await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId, pageSize: 2 });
    expect(page1.revisions.map((r) => r.revisionNumber)).toEqual([1, 2]);
    const page2 = await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId, pageSize: 2, pageToken: page1.nextPageToken });
    expect([page2.revisions.map((r) => r.revisionNumber), page2.nextPageToken]).toEqual([[3], '']);
    expect(page1.revisions[1]).toMatchObject({ reviseTime: at('2026-03-05T09:00:00Z'), note: 'factory delay', revisedBy: 'test-admin' });
    expect(page1.revisions[1].lines).toEqual([
      { sku: a, oldConfirmedQuantity: 10, newConfirmedQuantity: 10, oldPromisedTime: at('2026-03-12T10:00:00Z'), newPromisedTime: at('2026-03-19T10:00:00Z') },
      { sku: c, oldConfirmedQuantity: 0, newConfirmedQuantity: 2, oldPromisedTime: undefined, newPromisedTime: at('2026-03-26T10:00:00Z') },
    ]);

    // each revision tells Orders under its own key, so ETAs move every time
    const refreshes = await query<{ dedupeKey: string }>(t.databaseUrl, `SELECT dedupe_key FROM procurement.outbox WHERE topic = 'orders.refresh-etas' AND dedupe_key LIKE $1 ORDER BY id`, [`refresh-etas:${a}:confirmed:%`]);
    expect(refreshes.map((r) => r.dedupeKey)).toEqual([1, 2, 3].map((n) => `refresh-etas:${a}:confirmed:${po.purchaseOrderId}:${n}`));
    expect((await t.procurement.getSupplyForecast({ sku: a })).arrivals[0].expectedTime).toEqual(at('2026-03-27T10:00:00Z'));

    const unknown = await grpcError(t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: 'NOPE' }));
    expect([unknown.code, unknown.reason]).toEqual([status.NOT_FOUND, 'PURCHASE_ORDER_NOT_FOUND']);
  });

  it('revises a PARTIALLY_RECEIVED PO, never below what arrived, and closes it once nothing more is to come', async () => {
    const { po, skus: [a, b, c] } = await sentPurchaseOrder('PART');
    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: at('2026-03-12T10:00:00Z') });
    await t.procurement.receivePurchaseOrder({ receiptId: 'part-1', purchaseOrderId: po.purchaseOrderId, lines: [{ sku: a, quantity: 6 }] });
    const below = await grpcError(t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, lines: [{ sku: a, confirmedQuantity: 5, promisedTime: at('2026-03-15T00:00:00Z') }] }));
    expect([below.code, below.reason, below.metadata]).toEqual([status.FAILED_PRECONDITION, 'CONFIRMED_BELOW_RECEIVED', { sku: a, received_quantity: '6' }]);

    const revised = (await t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId, lines: [{ sku: a, confirmedQuantity: 8, promisedTime: at('2026-03-16T10:00:00Z') }],
    })).purchaseOrder!;
    expect(revised.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_PARTIALLY_RECEIVED);
    expect(revised.lines.map((l) => [l.confirmedQuantity, l.receivedQuantity, l.demandedQuantity])).toEqual([[8, 6, 8], [5, 0, 5], [4, 0, 4]]);
    // 2 more units of A come at the new date; the 2 no longer on order are declined (unassigned: no other supplier)
    expect((await t.procurement.getSupplyForecast({ sku: a })).arrivals.map((r) => [r.source, r.quantity, r.expectedTime])).toEqual([
      [ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER, 2, at('2026-03-16T10:00:00Z')],
    ]);
    expect((await t.procurement.listUnassignedDemand({})).demands.filter((d) => d.sku === a).map((d) => d.declinedQuantity)).toEqual([2]);

    // nothing more comes: what arrived of A is all, B and C are declined
    const closed = (await t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId,
      lines: [{ sku: a, confirmedQuantity: 6, promisedTime: undefined }, { sku: b, confirmedQuantity: 0, promisedTime: undefined }, { sku: c, confirmedQuantity: 0, promisedTime: undefined }],
    })).purchaseOrder!;
    expect(closed.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_RECEIVED);
    expect(closed.revisionCount).toBe(2);
    const late = await grpcError(t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, promisedTime: at('2026-03-30T00:00:00Z') }));
    expect([late.code, late.reason]).toEqual([status.FAILED_PRECONDITION, 'PURCHASE_ORDER_CLOSED']);
    expect(late.details).toMatch(/received in full/);
  });
});

describe('a PO by its number', () => {
  it('finds a PO by the number the supplier quotes, in any case, and refuses ambiguous or unknown lookups', async () => {
    const { po } = await sentPurchaseOrder('NUM');
    expect((await t.procurement.getPurchaseOrder({ number: po.number })).purchaseOrder!.purchaseOrderId).toBe(po.purchaseOrderId);
    expect((await t.procurement.getPurchaseOrder({ number: ` ${po.number.toLowerCase()} ` })).purchaseOrder!.purchaseOrderId).toBe(po.purchaseOrderId);
    const both = await grpcError(t.procurement.getPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, number: po.number }));
    expect([both.code, both.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['number']]);
    const neither = await grpcError(t.procurement.getPurchaseOrder({}));
    expect([neither.code, neither.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['purchase_order_id']]);
    const malformed = await grpcError(t.procurement.getPurchaseOrder({ number: 'order 12' }));
    expect(malformed.violations.map((v) => v.field)).toEqual(['number']);
    const unknown = await grpcError(t.procurement.getPurchaseOrder({ number: 'PO-1999-000001' }));
    expect([unknown.code, unknown.reason]).toEqual([status.NOT_FOUND, 'PURCHASE_ORDER_NOT_FOUND']);
  });
});

describe('the supplier link RPCs', () => {
  it('opens the PO of a link and records the answer with the link as its author; refuses tampered and expired links', async () => {
    clock.set('2026-03-02T08:00:00Z');
    const { po, skus: [a] } = await sentPurchaseOrder('LINK');
    const mail = smtp.messages.find((m) => m.subject === `Purchase order ${po.number}`)!;
    const link = /\/supplier\/purchase-orders\/(\S+)/.exec(mail.text as string)![1];

    const opened = await consoleApi.procurement.openSupplierLink({ link });
    expect(opened).toMatchObject({
      supplierName: 'Supplier LINK', timeZone: 'Europe/Berlin', buyerContact: 'Restock Purchasing <purchasing@localhost>', shipToAddress: '',
      linkExpireTime: at('2026-05-01T08:00:00Z'),
    });
    expect(opened.purchaseOrder!.number).toBe(po.number);

    const answered = await consoleApi.procurement.answerPurchaseOrder({
      link, promisedTime: at('2026-03-13T11:00:00Z'), lines: [{ sku: a, confirmedQuantity: 7, promisedTime: undefined }], note: 'rest next month',
    });
    expect(answered.purchaseOrder!.status).toBe(PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED);
    expect(answered.revision).toMatchObject({ revisionNumber: 1, revisedBy: `supplier-link:${po.number}#1`, channel: RevisionChannel.REVISION_CHANNEL_SUPPLIER_LINK, note: 'rest next month' });
    const again = await consoleApi.procurement.answerPurchaseOrder({ link, promisedTime: at('2026-03-13T11:00:00Z'), lines: [{ sku: a, confirmedQuantity: 7, promisedTime: undefined }], note: '' });
    expect(again.revision).toBeUndefined();

    const tampered = link.replace(/\.(\d)/, (_, digit: string) => `.${(Number(digit) + 1) % 10}`);
    for (const call of [consoleApi.procurement.openSupplierLink({ link: tampered }), consoleApi.procurement.answerPurchaseOrder({ link: tampered, promisedTime: clock.now(), lines: [] })]) {
      const refused = await grpcError(call);
      expect([refused.code, refused.reason]).toEqual([status.FAILED_PRECONDITION, 'LINK_INVALID']);
    }
    clock.set('2026-05-01T08:00:00Z');
    const expired = await grpcError(consoleApi.procurement.answerPurchaseOrder({ link, promisedTime: at('2026-06-01T00:00:00Z'), lines: [] }));
    expect([expired.code, expired.reason]).toEqual([status.FAILED_PRECONDITION, 'LINK_EXPIRED']);
    clock.set('2026-03-02T08:00:00Z');
    expect((await t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId })).revisions).toHaveLength(1);

    await t.procurement.cancelPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, reason: 'no longer needed' });
    const cancelled = await grpcError(consoleApi.procurement.answerPurchaseOrder({ link, promisedTime: at('2026-03-20T00:00:00Z'), lines: [] }));
    expect([cancelled.reason, cancelled.details]).toEqual(['PURCHASE_ORDER_CLOSED', `purchase order ${po.number} was cancelled: it can no longer be confirmed or revised`]);
  });
});

describe('customers\' ETAs per line', () => {
  it('moves each waiting line to its own PO line\'s promise, and again on a revision, emailing the customer whose date slipped', async () => {
    clock.set('2026-03-02T08:00:00Z');
    await seedSupplier(t, 'ETA', {}, [{ sku: 'ETA-X' }, { sku: 'ETA-Y' }]);
    await product(t, 'ETA-X');
    await product(t, 'ETA-Y');
    const { order: placed } = await order(t, [['ETA-X', 2], ['ETA-Y', 3]], { customer: 'dora' });
    await settleAll(t);
    const [po] = (await t.procurement.evaluateBuffers({ supplierId: 'ETA', force: true })).purchaseOrders;
    await settleAll(t);
    await t.procurement.confirmPurchaseOrder({
      purchaseOrderId: po.purchaseOrderId,
      lines: [{ sku: 'ETA-X', confirmedQuantity: 2, promisedTime: at('2026-03-07T12:00:00Z') }, { sku: 'ETA-Y', confirmedQuantity: 3, promisedTime: at('2026-03-08T12:00:00Z') }],
    });
    await settleAll(t);
    const etas = async () => (await t.orders.getOrder({ orderId: placed!.orderId })).order!.lines.map((l) => [l.sku, l.eta?.source, l.eta?.expectedTime]);
    expect(await etas()).toEqual([
      ['ETA-X', EtaSource.ETA_SOURCE_PURCHASE_ORDER, at('2026-03-07T12:00:00Z')],
      ['ETA-Y', EtaSource.ETA_SOURCE_PURCHASE_ORDER, at('2026-03-08T12:00:00Z')],
    ]);

    await t.procurement.confirmPurchaseOrder({ purchaseOrderId: po.purchaseOrderId, lines: [{ sku: 'ETA-Y', confirmedQuantity: 3, promisedTime: at('2026-03-25T12:00:00Z') }] });
    await settleAll(t);
    expect(await etas()).toEqual([
      ['ETA-X', EtaSource.ETA_SOURCE_PURCHASE_ORDER, at('2026-03-07T12:00:00Z')],
      ['ETA-Y', EtaSource.ETA_SOURCE_PURCHASE_ORDER, at('2026-03-25T12:00:00Z')],
    ]);
    const delayed = smtp.to('dora@example.com', /is delayed/);
    expect(delayed.map((m) => m.subject)).toEqual([`Order ${placed!.orderId}: Product ETA-Y (SKU ETA-Y) is delayed`]);
    expect(delayed[0].text).toContain('now expected on 2026-03-25');
  });
});
