import type { ChannelCredentials } from '@grpc/grpc-js';
import { Priority } from '../gen/restock/common/v1/priority';
import { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import { FulfillmentPolicy, OrderStatus } from '../gen/restock/orders/v1/order';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { PurchaseOrder } from '../gen/restock/procurement/v1/purchase_order';
import type { App } from '../app';
import type { Clock } from '../platform/clock';
import { connect, type Client } from '../platform/rpc';
import { CUSTOMERS, demoProducts, prng, SUPPLIERS, type DemoProduct, type DemoSupplier } from './story';

/** gRPC clients of the three services, as the demo's caller. */
export interface DemoClients {
  inventory: Client<typeof InventoryServiceDefinition>;
  orders: Client<typeof OrdersServiceDefinition>;
  procurement: Client<typeof ProcurementServiceDefinition>;
}

export function demoClients(address: string, token: () => Promise<string> | string, transport?: ChannelCredentials): DemoClients {
  return {
    inventory: connect(InventoryServiceDefinition, address, token, transport),
    orders: connect(OrdersServiceDefinition, address, token, transport),
    procurement: connect(ProcurementServiceDefinition, address, token, transport),
  };
}

/** A clock the replay moves forward; the app in the same process reads its time from it. */
export class MovableClock implements Clock {
  private time: number;
  constructor(start: Date) {
    this.time = start.getTime();
  }
  now(): Date {
    return new Date(this.time);
  }
  /** Moves the clock to t (never backwards). */
  set(t: Date): void {
    this.time = Math.max(this.time, t.getTime());
  }
}

export interface SeedOptions {
  clients: DemoClients;
  clock: MovableClock;
  /** Delivers every service's outbox until nothing is due (the replay runs the app without background work). */
  settle(): Promise<void>;
  /** The story ends here; it starts 13 weeks earlier. The clock must not be past its start. */
  end: Date;
  /** Share of the full order volume (0-1]; 1 ≈ 550 orders. Suppliers, products and weeks stay the same. */
  scale?: number;
  progress?(line: string): void;
}

export interface SeedSummary {
  suppliers: number;
  products: number;
  orders: number;
  purchaseOrders: number;
  receipts: number;
  start: Date;
  end: Date;
}

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;
export const DEMO_WEEKS = 13;

type Event =
  | { t: number; seq: number; kind: 'order'; customer: (typeof CUSTOMERS)[number]; lines: { sku: string; quantity: number }[]; policy: FulfillmentPolicy; priority: Priority; id: string }
  | { t: number; seq: number; kind: 'cancel-order'; id: string }
  | { t: number; seq: number; kind: 'confirm'; po: string; promised: Date; throughLink: boolean }
  | { t: number; seq: number; kind: 'receive'; po: string; receiptId: string; lines: { sku: string; quantity: number }[] }
  | { t: number; seq: number; kind: 'cancel-po'; po: string; reason: string }
  | { t: number; seq: number; kind: 'policy'; supplier: DemoSupplier; mask: string[]; policy: Record<string, unknown>; reason: string }
  | { t: number; seq: number; kind: 'ship' };

type Pending = Event extends infer E ? (E extends Event ? Omit<E, 'seq'> : never) : never;

/**
 * Plays 13 weeks of a wholesaler's life through the public gRPC API, moving the clock from event to event:
 * customers' orders (backordered when stock runs out), buffers released by their suppliers' rules, POs
 * confirmed, delivered (some in two parts), a few cancelled, goods shipped, and planners' policy changes.
 * Deterministic: the same PRNG seed gives the same story on every run.
 */
export async function seedDemo(options: SeedOptions): Promise<SeedSummary> {
  const { clients, clock, settle } = options;
  const { inventory, orders, procurement } = clients;
  const say = options.progress ?? (() => {});
  const scale = options.scale ?? 1;
  const end = options.end;
  const start = new Date(end.getTime() - DEMO_WEEKS * 7 * DAY);
  const random = prng(42);
  const products = demoProducts();
  const productBySku = new Map(products.map((p) => [p.sku, p]));
  const supplierById = new Map(SUPPLIERS.map((s) => [s.supplierId, s]));
  clock.set(new Date(start.getTime() - DAY));

  // the catalogue, the suppliers and what they sell, stock on hand: the day before the story starts
  say(`setting up ${SUPPLIERS.length} suppliers and ${products.length} products`);
  await inParallel(SUPPLIERS, 8, (s) =>
    procurement.upsertSupplier({
      supplier: {
        supplierId: s.supplierId,
        name: s.name,
        email: s.email,
        timeZone: s.timeZone,
        quotedLeadTimeDays: s.quotedLeadTimeDays,
        currencyCode: s.currencyCode,
        bufferPolicy: policyOf(s.policy, s.currencyCode),
      },
    }),
  );
  await inParallel(products, 8, async (p) => {
    await inventory.upsertProduct({
      product: { sku: p.sku, name: p.name, unitPrice: money(p.currencyCode, p.priceCents), backorderPolicy: { acceptBackorders: true, maxBackorderQuantityPerCustomer: 0, discontinued: false } },
    });
    if (p.onHand > 0) await inventory.adjustStock({ requestId: `demo-opening-${p.sku}`, sku: p.sku, delta: p.onHand, reason: 'Opening stock count' });
    await procurement.upsertSupplierProduct({
      supplierProduct: {
        supplierId: p.supplierId,
        sku: p.sku,
        supplierSku: supplierSku(p.supplierId, p.sku),
        unitCost: money(p.currencyCode, p.costCents),
        packSize: p.packSize,
        minOrderQuantity: p.minOrderQuantity,
        preferred: true,
      },
    });
    if (p.alternateSupplierId) {
      const alternate = supplierById.get(p.alternateSupplierId)!;
      await procurement.upsertSupplierProduct({
        supplierProduct: {
          supplierId: alternate.supplierId,
          sku: p.sku,
          supplierSku: supplierSku(alternate.supplierId, p.sku),
          unitCost: money(alternate.currencyCode, Math.round(p.costCents * 1.08)),
          packSize: p.packSize,
          minOrderQuantity: 0,
          preferred: false,
        },
      });
    }
  });
  await settle();

  // the whole calendar of customers' orders and planners' changes, drawn up front
  const events: Event[] = [];
  let seq = 0;
  const add = (event: Pending) => {
    const full = { ...event, seq: seq++ } as Event;
    let i = events.length;
    while (i > 0 && (events[i - 1].t > full.t || (events[i - 1].t === full.t && events[i - 1].seq > full.seq))) i--;
    events.splice(i, 0, full);
  };
  const weighted = products.flatMap((p) => Array<DemoProduct>(p.popularity).fill(p));
  let orderCount = 0;
  for (let day = 0; day < DEMO_WEEKS * 7; day++) {
    const dayStart = start.getTime() + day * DAY;
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    // demand grows a little over the quarter
    const volume = (weekend ? 1 : 6 + (day / 91) * 3) * scale;
    const count = Math.floor(volume) + (random.chance(volume % 1) ? 1 : 0);
    for (let n = 0; n < count; n++) {
      const customer = random.pick(CUSTOMERS);
      const lineCount = random.chance(0.5) ? 1 : random.chance(0.6) ? 2 : 3;
      const lines = new Map<string, number>();
      for (let l = 0; l < lineCount; l++) {
        const p = random.pick(weighted);
        lines.set(p.sku, p.typicalQuantity * random.int(1, 3));
      }
      const id = `demo-order-${String(++orderCount).padStart(5, '0')}`;
      const t = dayStart + 7 * HOUR + random.int(0, 12 * 60) * 60_000;
      if (t >= end.getTime()) continue;
      add({
        t,
        kind: 'order',
        id,
        customer,
        lines: [...lines].map(([sku, quantity]) => ({ sku, quantity })),
        policy: random.chance(0.2) ? FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_COMPLETE : FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW,
        priority: customer.vip ? Priority.PRIORITY_VIP : customer.expedited && random.chance(0.5) ? Priority.PRIORITY_EXPEDITED : Priority.PRIORITY_STANDARD,
      });
      if (random.chance(0.03)) add({ t: t + random.int(1, 6) * DAY, kind: 'cancel-order', id });
    }
    // the warehouse ships what is ready on Friday afternoons
    if (weekday === 5) add({ t: dayStart + 15 * HOUR, kind: 'ship' });
  }
  for (const s of SUPPLIERS) {
    if (s.change) {
      const mask = Object.keys(s.change.fields).map(snake);
      add({ t: start.getTime() + 45 * DAY + 9 * HOUR, kind: 'policy', supplier: s, mask, policy: policyFields(s.change.fields, s.currencyCode), reason: s.change.reason });
    }
    if (s.pausedLate) add({ t: end.getTime() - 6 * DAY, kind: 'policy', supplier: s, mask: ['paused'], policy: { paused: true }, reason: s.pausedLate });
  }

  const summary: SeedSummary = { suppliers: SUPPLIERS.length, products: products.length, orders: 0, purchaseOrders: 0, receipts: 0, start, end };
  const lifecycleRandom = prng(7);
  const planned = new Set<string>();
  const orderIds = new Map<string, string>();

  /** Plans what the supplier does with a new PO: confirm, deliver (maybe in two parts), or fail to. */
  const planLifecycle = (po: PurchaseOrder) => {
    if (planned.has(po.purchaseOrderId)) return;
    planned.add(po.purchaseOrderId);
    summary.purchaseOrders++;
    const s = supplierById.get(po.supplierId)!;
    const sent = clock.now().getTime();
    if (lifecycleRandom.chance(s.habits.cancelRate)) {
      add({ t: sent + lifecycleRandom.int(20, 60) * HOUR, kind: 'cancel-po', po: po.purchaseOrderId, reason: lifecycleRandom.pick(['Supplier cannot deliver: item discontinued', 'Supplier out of stock for 8 weeks; reordering elsewhere', 'Price increase not accepted']) });
      return;
    }
    const factor = s.habits.fastest + lifecycleRandom.next() * (s.habits.slowest - s.habits.fastest);
    const arrives = sent + Math.max(1, s.quotedLeadTimeDays * factor) * DAY + lifecycleRandom.int(0, 8) * HOUR;
    if (lifecycleRandom.chance(s.habits.confirmRate)) {
      const promised = new Date(sent + s.quotedLeadTimeDays * DAY + lifecycleRandom.int(0, 2) * DAY);
      add({ t: sent + lifecycleRandom.int(4, 40) * HOUR, kind: 'confirm', po: po.purchaseOrderId, promised, throughLink: s.habits.answersThroughLink });
    }
    if (lifecycleRandom.chance(s.habits.splitRate)) {
      const first = po.lines.map((line) => ({ sku: line.sku, quantity: Math.floor(line.quantity * 0.6) })).filter((line) => line.quantity > 0);
      if (first.length > 0) {
        const rest = po.lines
          .map((line) => ({ sku: line.sku, quantity: line.quantity - (first.find((f) => f.sku === line.sku)?.quantity ?? 0) }))
          .filter((line) => line.quantity > 0);
        add({ t: arrives, kind: 'receive', po: po.purchaseOrderId, receiptId: `demo-receipt-${po.number}-1`, lines: first });
        add({ t: arrives + lifecycleRandom.int(3, 9) * DAY, kind: 'receive', po: po.purchaseOrderId, receiptId: `demo-receipt-${po.number}-2`, lines: rest });
        return;
      }
    }
    add({ t: arrives, kind: 'receive', po: po.purchaseOrderId, receiptId: `demo-receipt-${po.number}`, lines: po.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })) });
  };

  // Before it is asked again, nothing comes due earlier than this: a buffer's next release, the schedule of an
  // empty one, or a day later (the shortest max wait a new demand could start). Thresholds fire by themselves
  // as demand arrives; a cancelled PO or a policy change resets it.
  let quietUntil = 0;
  /** Releases every buffer whose rules came due before t, at the time each came due. */
  const releaseDueBefore = async (t: number) => {
    if (t < quietUntil) return;
    for (let round = 0; round < 500; round++) {
      const { buffers } = await procurement.listBuffers({ pageSize: 1000 });
      // an empty buffer's schedule moves on when the scheduler evaluates it, as it would have in those weeks
      const times = buffers.map((b) => ({ b, time: (b.totalQuantity > 0 ? b.nextReleaseTime : b.scheduledReleaseTime)?.getTime() ?? Infinity }));
      quietUntil = Math.min(clock.now().getTime() + DAY, ...times.map(({ time }) => time));
      const due = times.filter(({ time }) => time <= t).sort((a, b) => a.time - b.time || a.b.supplierId.localeCompare(b.b.supplierId));
      if (due.length === 0) return;
      clock.set(new Date(due[0].time));
      const { purchaseOrders } = await procurement.evaluateBuffers({ asOfTime: clock.now(), supplierId: due[0].b.supplierId });
      if (purchaseOrders.length > 0) await settle();
      purchaseOrders.forEach(planLifecycle);
    }
    throw new Error('buffers kept coming due: the replay is stuck');
  };

  const awaiting = new Set<string>();
  let week = -1;
  while (events.length > 0) {
    const event = events.shift()!;
    if (event.t >= end.getTime()) break;
    await releaseDueBefore(event.t);
    clock.set(new Date(event.t));
    const eventWeek = Math.floor((event.t - start.getTime()) / (7 * DAY));
    if (eventWeek !== week) {
      week = eventWeek;
      say(`week ${week + 1}/${DEMO_WEEKS}: ${summary.orders} orders, ${summary.purchaseOrders} purchase orders so far`);
    }
    switch (event.kind) {
      case 'order': {
        const { order } = await orders.placeOrder({
          requestId: event.id,
          customerId: event.customer.customerId,
          customerEmail: event.customer.email,
          priority: event.priority,
          fulfillmentPolicy: event.policy,
          lines: event.lines,
        });
        summary.orders++;
        if (order) orderIds.set(event.id, order.orderId);
        if (order?.status === OrderStatus.ORDER_STATUS_AWAITING_STOCK || order?.status === OrderStatus.ORDER_STATUS_READY_TO_SHIP) awaiting.add(order.orderId);
        await settle();
        // a demand that reached a threshold released its supplier's buffer as it arrived
        await collectReleases(event.t);
        break;
      }
      case 'cancel-order': {
        const id = orderIds.get(event.id);
        if (!id || !awaiting.has(id)) break;
        await orders.cancelOrder({ orderId: id, reason: 'Customer no longer needs the goods', requestId: `cancel-${event.id}` }).catch(ignorePrecondition);
        awaiting.delete(id);
        await settle();
        break;
      }
      case 'confirm': {
        // the supplier answers on the page its PO email links to, or writes back and a planner enters the answer;
        // its ETA refresh goes out with the next event's settling
        const link = event.throughLink ? await supplierLinkInEmail(procurement, event.po) : undefined;
        const answer = link
          ? procurement.answerPurchaseOrder({ link, promisedTime: event.promised, lines: [], note: 'All lines as ordered.' })
          : procurement.confirmPurchaseOrder({ purchaseOrderId: event.po, promisedTime: event.promised, lines: [] });
        await answer.catch(ignorePrecondition);
        break;
      }
      case 'receive':
        await procurement.receivePurchaseOrder({ receiptId: event.receiptId, purchaseOrderId: event.po, lines: event.lines, receivedTime: clock.now() }).then(
          () => summary.receipts++,
          ignorePrecondition,
        );
        await settle();
        break;
      case 'cancel-po':
        await procurement.cancelPurchaseOrder({ purchaseOrderId: event.po, reason: event.reason }).catch(ignorePrecondition);
        quietUntil = 0;
        await settle();
        break;
      case 'policy':
        await procurement.updateBufferPolicy({ supplierId: event.supplier.supplierId, policy: event.policy, updateMask: event.mask, reason: event.reason });
        quietUntil = 0;
        break;
      case 'ship': {
        const ids = [...awaiting];
        await inParallel(ids, 8, async (orderId) => {
          const { order } = await orders.getOrder({ orderId });
          if (!order || order.status === OrderStatus.ORDER_STATUS_SHIPPED || order.status === OrderStatus.ORDER_STATUS_CANCELLED) awaiting.delete(orderId);
          else if (order.status === OrderStatus.ORDER_STATUS_READY_TO_SHIP) {
            // no draws from the shared PRNG here: these calls finish in any order
            const tracking = prng(order.lines.reduce((sum, line) => sum + line.quantity, 0) * 7919 + summary.orders).int(10_000_000, 99_999_999);
            await orders.shipOrder({ orderId, shipmentId: `demo-ship-${orderId}`, carrier: 'DHL', trackingNumber: `JD0146${tracking}` }).catch(ignorePrecondition);
            awaiting.delete(orderId);
          }
        });
        await settle();
        break;
      }
    }
  }
  await releaseDueBefore(end.getTime());
  clock.set(end);
  await settle();
  return summary;

  // POs released by RecordDemand (a threshold fired) show up as new POs; plan their lives too
  async function collectReleases(since: number) {
    const { purchaseOrders } = await procurement.listPurchaseOrders({ createStartTime: new Date(since), pageSize: 100 });
    purchaseOrders.reverse().forEach(planLifecycle);
  }
}

function ignorePrecondition(error: { code?: number }): void {
  // FAILED_PRECONDITION: the story asked for something the system rightly refuses now (e.g. cancelling a shipped order)
  if (error.code !== 9) throw error;
}

function money(currencyCode: string, cents: number) {
  return { currencyCode, units: Math.floor(cents / 100), nanos: (cents % 100) * 10_000_000 };
}

function policyOf(policy: DemoSupplier['policy'], currencyCode: string) {
  return { minQuantity: policy.minQuantity, minValue: policy.minValue ? money(currencyCode, policy.minValue * 100) : undefined, releaseSchedule: policy.releaseSchedule, maxWaitDays: policy.maxWaitDays, paused: false };
}

function policyFields(fields: Partial<DemoSupplier['policy']>, currencyCode: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  if (fields.minValue !== undefined) out.minValue = money(currencyCode, fields.minValue * 100);
  return out;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function supplierSku(supplierId: string, sku: string): string {
  return `${supplierId.replace('demo-', '').slice(0, 3).toUpperCase()}-${sku.replace('-', '')}`;
}

/** The token of the supplier's page link in a PO's email, as the supplier reads it there (none before the email went out). */
async function supplierLinkInEmail(procurement: DemoClients['procurement'], purchaseOrderId: string): Promise<string | undefined> {
  const { emails } = await procurement.listPurchaseOrderEmails({ purchaseOrderId });
  const sent = emails.find((email) => email.sendTime);
  return sent && /\/supplier\/purchase-orders\/([\w.-]+)/.exec(sent.text)?.[1];
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}


/** Delivers every service's outbox of app until a whole round delivers nothing. */
export async function settleApp(app: Pick<App, 'dispatchers'>): Promise<void> {
  for (let round = 0; round < 100; round++) {
    // the services' outboxes are independent (as separate replicas would be): drain them side by side
    const delivered = await Promise.all(Object.values(app.dispatchers).map((dispatcher) => dispatcher.drain()));
    if (delivered.every((count) => count === 0)) return;
  }
  throw new Error('the outboxes did not settle');
}
