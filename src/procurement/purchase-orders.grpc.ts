import { PurchaseOrderStatus } from '../gen/restock/procurement/v1/purchase_order';
import type { ConfirmPurchaseOrderRequest, ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Clock } from '../platform/clock';
import type { Orm } from '../platform/orm';
import { pageSize } from '../platform/pagination';
import type { Handlers } from '../platform/rpc';
import { MAX_QUANTITY, Validator } from '../platform/validation';
import { getSupplyForecast, quoteSupply } from './forecast';
import { getLeadTimeStats, listLeadTimeObservations } from './lead-time-stats';
import { cancelPurchaseOrder, confirmPurchaseOrder } from './purchase-order-lifecycle';
import { getPurchaseOrder, getPurchaseOrderByNumber, listPurchaseOrders } from './purchase-orders';
import { listPurchaseOrderRevisions } from './purchase-order-revisions';
import type { EmailSettings } from './purchase-order-emails';
import { answerThroughLink, openSupplierPage } from './supplier-links';
import * as map from './procurement.mapping';
import { checkLines, optionalId } from './procurement.validation';
import { receivePurchaseOrder } from './receipts';

const STATUS_COUNT = 6;
const PO_NUMBER = /^PO-\d{4}-\d{6,}$/i;
/** Longer than any token we sign (UUID, generation, expiry, signature). */
const MAX_LINK = 256;
const MAX_QUOTED_SKUS = 1000;
// A placement batch quotes the sum of its orders' backorders of a SKU.
const INT32_MAX = 2_147_483_647;

type AnswerRequest = Pick<ConfirmPurchaseOrderRequest, 'promisedTime' | 'lines' | 'note'>;

/**
 * Checks a supplier's answer: distinct SKUs with 0 or more units each, a note of at most 500 characters, and
 * promised_time when no line is listed (which lines lack a date the domain knows: it depends on the PO).
 */
function checkAnswer(v: Validator, request: AnswerRequest): Validator {
  v.check(request.promisedTime !== undefined || request.lines.length > 0, 'promised_time', 'is required when no line is listed')
    .text('note', request.note, { max: 500 });
  return checkLines(v, request.lines, (line, field) => v.quantity(`${field}.confirmed_quantity`, line.confirmedQuantity, { min: 0 }), { min: 0 });
}

function fromAnswer(request: AnswerRequest) {
  return {
    promisedTime: request.promisedTime ?? null,
    lines: request.lines.map((l) => ({ sku: l.sku, confirmedQuantity: l.confirmedQuantity, promisedTime: l.promisedTime ?? null })),
    note: request.note.trim(),
  };
}

/** Handlers of purchase orders, lead times and the supply forecast: validate, call one domain function, map. */
export function purchaseOrderHandlers(orm: Orm, clock: Clock, emails: Pick<EmailSettings, 'links' | 'buyerContact' | 'shipTo'>): Handlers<typeof ProcurementServiceDefinition> {
  return {
    async getPurchaseOrder({ purchaseOrderId, number }) {
      const v = new Validator();
      if (purchaseOrderId === '' && number === '') v.check(false, 'purchase_order_id', 'is required, or give number instead');
      else if (purchaseOrderId !== '' && number !== '') v.check(false, 'number', 'must be empty when purchase_order_id is given');
      else if (purchaseOrderId !== '') v.id('purchase_order_id', purchaseOrderId);
      else v.check(PO_NUMBER.test(number.trim()), 'number', 'must be a PO number such as PO-2026-000123');
      v.done();
      const order = purchaseOrderId !== '' ? await getPurchaseOrder(orm, purchaseOrderId) : await getPurchaseOrderByNumber(orm, number);
      return { purchaseOrder: map.toPurchaseOrder(order, clock.now()) };
    },
    async listPurchaseOrders(request) {
      const isStatus = (status: PurchaseOrderStatus) => status in PurchaseOrderStatus && status !== PurchaseOrderStatus.UNRECOGNIZED;
      const v = optionalId(new Validator(), 'supplier_id', request.supplierId)
        .check(isStatus(request.status), 'status', 'is not a purchase order status')
        .check(request.statuses.length <= STATUS_COUNT, 'statuses', `must list at most ${STATUS_COUNT} statuses`)
        .text('number_query', request.numberQuery, { max: 64 });
      request.statuses.forEach((status, i) =>
        v.check(isStatus(status) && status !== PurchaseOrderStatus.PURCHASE_ORDER_STATUS_UNSPECIFIED, `statuses[${i}]`, 'is not a purchase order status'));
      const { createStartTime: start, createEndTime: end } = request;
      v.check(!start || !end || start.getTime() <= end.getTime(), 'create_end_time', 'must not be before create_start_time').done();
      const statuses = [...new Set([request.status, ...request.statuses].map(map.fromStatus).filter((s) => s !== null))];
      const now = clock.now();
      const filter = {
        supplierId: request.supplierId, statuses, createStart: start ?? null, createEnd: end ?? null, numberQuery: request.numberQuery.trim(),
        overdueAsOf: request.overdue ? now : null, needsAttention: request.needsAttention,
      };
      const page = await listPurchaseOrders(orm, filter, pageSize(request.pageSize), request.pageToken);
      return { purchaseOrders: page.purchaseOrders.map((o) => map.toPurchaseOrder(o, now)), nextPageToken: page.nextPageToken };
    },
    async confirmPurchaseOrder(request, call) {
      checkAnswer(new Validator().id('purchase_order_id', request.purchaseOrderId), request).done();
      const { order } = await confirmPurchaseOrder(orm, clock, {
        ...fromAnswer(request), purchaseOrderId: request.purchaseOrderId, revisedBy: call.caller.sub, channel: 'API',
      });
      return { purchaseOrder: map.toPurchaseOrder(order, clock.now()) };
    },
    async openSupplierLink({ link }) {
      new Validator().text('link', link, { min: 1, max: MAX_LINK }).done();
      const page = await openSupplierPage(orm, clock, emails.links, link);
      return {
        purchaseOrder: map.toPurchaseOrder(page.order, clock.now()),
        supplierName: page.supplier.name,
        timeZone: page.supplier.timeZone,
        buyerContact: emails.buyerContact,
        shipToAddress: emails.shipTo ?? '',
        linkExpireTime: page.linkExpireTime,
      };
    },
    async answerPurchaseOrder(request) {
      checkAnswer(new Validator().text('link', request.link, { min: 1, max: MAX_LINK }), request).done();
      const { order, revision } = await answerThroughLink(orm, clock, emails.links, request.link, fromAnswer(request));
      return { purchaseOrder: map.toPurchaseOrder(order, clock.now()), revision: revision ? map.toRevision(revision) : undefined };
    },
    async listPurchaseOrderRevisions(request) {
      new Validator().id('purchase_order_id', request.purchaseOrderId).done();
      const page = await listPurchaseOrderRevisions(orm, request.purchaseOrderId, pageSize(request.pageSize), request.pageToken);
      return { revisions: page.revisions.map(map.toRevision), nextPageToken: page.nextPageToken };
    },
    async cancelPurchaseOrder(request) {
      new Validator().id('purchase_order_id', request.purchaseOrderId).text('reason', request.reason, { min: 1, max: 500 }).done();
      return { purchaseOrder: map.toPurchaseOrder(await cancelPurchaseOrder(orm, request.purchaseOrderId, request.reason), clock.now()) };
    },
    async receivePurchaseOrder(request) {
      const v = new Validator().id('receipt_id', request.receiptId).id('purchase_order_id', request.purchaseOrderId);
      checkLines(v, request.lines, (line, field) => v.quantity(`${field}.quantity`, line.quantity, { min: 1, max: MAX_QUANTITY })).done();
      const order = await receivePurchaseOrder(orm, clock, { ...request, receivedTime: request.receivedTime ?? null });
      return { purchaseOrder: map.toPurchaseOrder(order, clock.now()) };
    },
    async getLeadTimeStats(request) {
      const v = new Validator().id('supplier_id', request.supplierId);
      if (request.sku !== '') v.sku('sku', request.sku);
      v.done();
      const { latestDays: _latest, ...stats } = await getLeadTimeStats(orm, request.supplierId, request.sku);
      return { stats };
    },
    async listLeadTimeObservations(request) {
      const v = new Validator().id('supplier_id', request.supplierId);
      if (request.sku !== '') v.sku('sku', request.sku);
      const { observeStartTime: start, observeEndTime: end } = request;
      v.check(!start || !end || start.getTime() <= end.getTime(), 'observe_end_time', 'must not be before observe_start_time').done();
      const filter = { supplierId: request.supplierId, sku: request.sku, observeStart: start ?? null, observeEnd: end ?? null };
      const page = await listLeadTimeObservations(orm, filter, pageSize(request.pageSize), request.pageToken);
      return {
        observations: page.observations.map((o) => ({
          purchaseOrderId: o.purchaseOrderId, purchaseOrderNumber: o.purchaseOrderNumber, sku: o.sku, observeTime: o.observeTime, leadTimeDays: o.days,
        })),
        nextPageToken: page.nextPageToken,
      };
    },
    async getSupplyForecast({ sku }) {
      new Validator().sku('sku', sku).done();
      return { arrivals: (await getSupplyForecast(orm, clock, sku)).map(map.toArrival) };
    },
    async quoteSupply({ demands }) {
      const v = new Validator().check(demands.length >= 1 && demands.length <= MAX_QUOTED_SKUS, 'demands', `must have 1-${MAX_QUOTED_SKUS} SKUs`);
      demands.forEach((d, i) => v.sku(`demands[${i}].sku`, d.sku).quantity(`demands[${i}].quantity`, d.quantity, { min: 0, max: INT32_MAX }));
      v.check(new Set(demands.map((d) => d.sku)).size === demands.length, 'demands', 'must name each SKU once').done();
      const quotes = await quoteSupply(orm, clock, demands.map((d) => ({ sku: d.sku, quantity: d.quantity })));
      return {
        quotes: quotes.map((q) => ({ sku: q.sku, arrivals: q.arrivals.map(map.toArrival), demandArrival: q.demandArrival ? map.toArrival(q.demandArrival) : undefined, supplierId: q.supplierId })),
      };
    },
  };
}
