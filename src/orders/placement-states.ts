import { OrderEventType, type Order } from '../gen/restock/orders/v1/order';
import { settle, type BatchOutcome } from '../platform/batcher';
import { crashPoint } from '../platform/crash-point';
import { notFound } from '../platform/errors';
import { EMAIL } from '../platform/mail';
import { Amount } from '../platform/money';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { message } from '../platform/topics';
import { backorderPolicyOf, backorderRefusals, orderRefused, type BackorderPolicy } from './backorder-rules';
import { confirmationEmail } from './customer-emails';
import { toEta, type Eta } from './etas';
import { etasOfNewBackorders, OpenBackorders } from './new-backorders';
import { loadOrder } from './order-queries';
import { deleteOrder, finalizePlacedOrders, markOrderRefused, readWrittenOrder, type WrittenOrder } from './order.repository';
import { lineStatus, orderStatus, shippableUnits } from './order-status';
import { peerRefusal, peerUnavailable } from './peer-errors';
import type { LockedSession } from './sku-locks';
import { RECORD_DEMAND } from './topics';
import { withOrderLink } from './customer-links';

/** Units per line id that Inventory holds for an order (its reservation "place:<order_id>"). */
type Held = Map<string, number>;

interface Product {
  name: string;
  policy: BackorderPolicy;
  unitPrice: string;
  currencyCode: string;
}

/**
 * Where one order of a batch stands in its placement:
 * - written: pending in the database, each line with its reservation plan;
 * - reserved: Inventory holds what it could of the plan; the rest is the shortfall;
 * - accepted: its shortfall may be backordered; finalized with the batch in one statement;
 * - refused: its reservation is released and the order dropped, with the reason;
 * - requeued: released and dropped like a refusal, because a refused order ahead of it in the batch gave
 *   back stock it lacked; it goes back to the Batcher, to be placed anew as if it came after the refusal.
 */
export type Placement =
  | { state: 'written'; order: WrittenOrder }
  | { state: 'reserved'; order: WrittenOrder; held: Held; shortfall: Map<string, number>; products: PromiseSettledResult<Map<string, Product>> }
  | { state: 'accepted'; order: WrittenOrder; held: Held; products: Map<string, Product> }
  | { state: 'refused'; order: WrittenOrder; held: Held; reason: unknown }
  | { state: 'requeued'; order: WrittenOrder; held: Held };

type In<S extends Placement['state']> = Extract<Placement, { state: S }>;

/**
 * Takes written orders under their SKUs' locks through their states, each step once for the whole batch,
 * and returns how each ended. Every step can be repeated after a crash with the same outcome: Inventory
 * reserves "place:<order_id>" and releases "unplace:<order_id>" once, a refused order is marked before
 * its release, and finalizing only places orders still pending.
 */
export async function finishPlacements(deps: ServiceDeps, session: LockedSession, orders: WrittenOrder[]): Promise<BatchOutcome<Order>[]> {
  if (orders.length === 0) return [];
  // Products (backorder rules, names, prices) are read while Inventory reserves: one call each per batch.
  const [reserved, products] = await Promise.all([reserve(deps, orders.map((order) => ({ state: 'written', order }))), perOrder(orders, (batch) => productsOf(deps, batch))]);
  crashPoint('placement.stock-reserved');
  const decided = await decide(session.sql, reserved.map((p, i) => (p.state === 'reserved' ? { ...p, products: products[i] } : p)));
  const outcomes = new Map<WrittenOrder, BatchOutcome<Order>>();
  for (const placement of decided) {
    if (placement.state === 'refused') outcomes.set(placement.order, await refuse(deps, session, placement));
    if (placement.state === 'requeued') outcomes.set(placement.order, await requeue(deps, session, placement));
  }
  const accepted = decided.filter((p): p is In<'accepted'> => p.state === 'accepted');
  const placed = await finalize(deps, session.sql, accepted);
  crashPoint('placement.finalized');
  accepted.forEach((p, i) => outcomes.set(p.order, { status: 'fulfilled', value: placed[i] }));
  return orders.map((order) => outcomes.get(order)!);
}

/** Completes (or compensates) one written order, as recovery and retries find it. */
export async function finishPlacement(deps: ServiceDeps, session: LockedSession, orderId: string): Promise<Order> {
  const order = await readWrittenOrder(session.sql, orderId);
  if (!order) throw notFound('order', orderId);
  if (order.placement === 'placed') return loadOrder(session.sql, orderId);
  const [outcome] = await finishPlacements(deps, session, [order]);
  if (outcome.status === 'rejected') throw outcome.reason;
  if (outcome.status === 'requeued') throw new Error(`order ${orderId} was requeued alone in its batch`); // only an order behind a refused one is
  return outcome.value;
}

/**
 * written → reserved (or refused): reserves every order's plan with one Inventory call, earlier orders
 * first. An order Inventory refuses (an unknown SKU), or one a crash left refused, is refused.
 */
async function reserve(deps: ServiceDeps, written: In<'written'>[]): Promise<(Omit<In<'reserved'>, 'products'> | In<'refused'>)[]> {
  const results = await perOrder(written.map((w) => w.order), (orders) => reserveInInventory(deps, orders));
  return written.map(({ order }, i): Omit<In<'reserved'>, 'products'> | In<'refused'> => {
    const result = results[i];
    if (result.status === 'rejected') return { state: 'refused', order, held: new Map(), reason: result.reason };
    if (order.placement === 'refused') return { state: 'refused', order, held: result.value, reason: notFound('order', order.orderId) };
    return { state: 'reserved', order, held: result.value, shortfall: shortfallOf(order, result.value) };
  });
}

/**
 * reserved → accepted, refused or requeued, in batch order: an order is refused when a product it lacks
 * is unknown or its backorder rules refuse the shortfall (the customer's open backorders counting the
 * orders accepted before it), and requeued when a refused order before it gave back a SKU it lacks.
 */
async function decide(sql: Sql, placements: (In<'reserved'> | In<'refused'>)[]): Promise<Placement[]> {
  const given = new Set<string>(); // SKUs that refused orders of this batch gave back
  const giveBack = (p: In<'refused'>) => p.order.lines.filter((l) => (p.held.get(l.lineId) ?? 0) > 0).forEach((l) => given.add(l.sku));
  placements.forEach((p) => p.state === 'refused' && giveBack(p));
  const open = await OpenBackorders.read(
    sql,
    placements.flatMap((p) => (p.state === 'reserved' && p.shortfall.size > 0 ? [{ customerId: p.order.customerId, skus: [...p.shortfall.keys()] }] : [])),
  );
  const decided: Placement[] = [];
  for (const placement of placements) {
    if (placement.state === 'refused') {
      decided.push(placement);
      continue;
    }
    const { order, held, shortfall, products: known } = placement;
    let next: Placement;
    if (known.status === 'rejected') {
      next = { state: 'refused', order, held, reason: known.reason };
    } else if ([...shortfall.keys()].some((sku) => given.has(sku))) {
      next = { state: 'requeued', order, held };
    } else {
      const policies = new Map([...known.value].map(([sku, p]) => [sku, p.policy]));
      const skus = [...shortfall.keys()];
      const capped = skus.filter((sku) => (policies.get(sku)!.maxBackorderQuantityTotal ?? 0) > 0); // the product cap's sum only where it applies
      const refusals = backorderRefusals(shortfall, policies, open.of(order.customerId, skus), await open.total(capped));
      if (refusals.size > 0) {
        next = { state: 'refused', order, held, reason: orderRefused(refusals, shortfall) };
      } else {
        open.add(order.customerId, shortfall);
        next = { state: 'accepted', order, held, products: known.value };
      }
    }
    if (next.state === 'refused') giveBack(next);
    decided.push(next);
  }
  return decided;
}

/** accepted → placed: the ETAs of the new backorders, then one statement places the orders with their demand and confirmations. */
async function finalize(deps: ServiceDeps, sql: Sql, accepted: In<'accepted'>[]): Promise<Order[]> {
  if (accepted.length === 0) return [];
  const etas = await etasOfNewBackorders(deps, sql, accepted.map((p) => ({ ...p.order, reserved: p.held })));
  const orders = accepted.map((p) => placedOrder(p.order, p.held, etas, p.products));
  const products = new Map(accepted.flatMap((p) => [...p.products]));
  const lines = orders.flatMap((order) => order.lines);
  const messages = orders.flatMap((order) => [
    ...order.lines
      .filter((l) => l.backorderedQuantity > 0)
      .map((l) => ({ orderId: order.orderId, ...message(RECORD_DEMAND, `record-demand:${l.lineId}`, { demandId: l.lineId, sku: l.sku, quantity: l.backorderedQuantity }) })),
    { orderId: order.orderId, ...message(EMAIL, `order-confirmation:${order.orderId}`, withOrderLink(deps, order, confirmationEmail(order))) },
  ]);
  const now = deps.clock.now();
  const ready = orders.filter((o) => o.readyToShipNow).map((o) => ({ orderId: o.orderId, type: OrderEventType.ORDER_EVENT_TYPE_READY_TO_SHIP, eventTime: now }));
  await finalizePlacedOrders(
    sql,
    orders.map((o) => o.orderId),
    lines.map((l) => ({
      lineId: l.lineId,
      allocated: l.allocatedQuantity,
      backordered: l.backorderedQuantity,
      unitPrice: products.get(l.sku)?.unitPrice ?? null,
      currencyCode: products.get(l.sku)?.currencyCode ?? null,
      productName: products.get(l.sku)?.name ?? '',
      eta: l.backorderedQuantity > 0 ? etas.get(l.lineId) : undefined,
    })),
    ready,
    messages,
  );
  return orders;
}

/** refused → dropped: gives back what the order holds; its outcome is its refusal (or the failure to give back). */
function refuse(deps: ServiceDeps, session: LockedSession, placement: In<'refused'>): Promise<BatchOutcome<Order>> {
  return settle(() => drop(deps, session, placement).then(() => Promise.reject(placement.reason)));
}

/** requeued → dropped: gives back what the order holds, then the order goes back to the Batcher. */
async function requeue(deps: ServiceDeps, session: LockedSession, placement: In<'requeued'>): Promise<BatchOutcome<Order>> {
  const dropped = await settle(() => drop(deps, session, placement));
  return dropped.status === 'rejected' ? dropped : { status: 'requeued' };
}

/**
 * Releases what an order holds and deletes it; it is marked refused first, so that a crash in between
 * cannot turn it back into a placement.
 */
async function drop(deps: ServiceDeps, session: LockedSession, { order, held }: { order: WrittenOrder; held: Held }): Promise<void> {
  const lines = [...held].filter(([, quantity]) => quantity > 0).map(([lineId, quantity]) => ({ lineId, quantity }));
  if (lines.length > 0) {
    await markOrderRefused(session.sql, order.orderId);
    try {
      await deps.peers.inventory.releaseStock({ requestId: `unplace:${order.orderId}`, lines });
    } catch (error) {
      throw peerUnavailable('inventory', error);
    }
  }
  await deleteOrder(session.sql, order.orderId);
}

/**
 * Calls Inventory once for the whole batch; when it refuses the batch (one order's unknown SKU, say),
 * once per order, in order, so that only the orders at fault are refused. Anything else (Inventory
 * unreachable) fails the batch: its orders stay pending for a retry or recovery.
 */
async function perOrder<B, T>(batch: B[], call: (batch: B[]) => Promise<T[]>): Promise<PromiseSettledResult<T>[]> {
  if (batch.length === 0) return [];
  try {
    return (await call(batch)).map((value) => ({ status: 'fulfilled', value }));
  } catch (error) {
    const refusal = peerRefusal(error);
    if (!refusal) throw peerUnavailable('inventory', error);
    if (batch.length === 1) return [{ status: 'rejected', reason: refusal }];
  }
  const results: PromiseSettledResult<T>[] = [];
  for (const item of batch) results.push(...(await perOrder([item], call)));
  return results;
}

/** Reserves each order's planned units (possibly fewer) with one Inventory call: per order, units per line id. */
async function reserveInInventory(deps: ServiceDeps, orders: WrittenOrder[]): Promise<Held[]> {
  const planned = orders.filter((order) => order.lines.some((l) => l.toReserve > 0));
  const held = new Map<WrittenOrder, Held>();
  if (planned.length > 0) {
    const { responses } = await deps.peers.inventory.batchReserveStock({
      requests: planned.map((order) => ({
        requestId: `place:${order.orderId}`,
        lines: order.lines.filter((l) => l.toReserve > 0).map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.toReserve })),
        allowPartial: true,
      })),
    });
    planned.forEach((order, i) => held.set(order, new Map(responses[i].results.map((r) => [r.lineId, r.reservedQuantity]))));
  }
  return orders.map((order) => held.get(order) ?? new Map());
}

function shortfallOf(order: WrittenOrder, held: Held): Map<string, number> {
  const shortfall = new Map<string, number>();
  for (const line of order.lines) {
    const short = line.quantity - (held.get(line.lineId) ?? 0);
    if (short > 0) shortfall.set(line.sku, (shortfall.get(line.sku) ?? 0) + short);
  }
  return shortfall;
}

/** Per order, the products of its SKUs, with one Inventory call (an unknown SKU refuses the call). */
async function productsOf(deps: ServiceDeps, batch: WrittenOrder[]): Promise<Map<string, Product>[]> {
  const skus = [...new Set(batch.flatMap((order) => order.lines.map((l) => l.sku)))];
  const { products } = await deps.peers.inventory.batchGetProducts({ skus });
  const bySku = new Map(
    products.map((p) => {
      if (!p.unitPrice) throw new Error(`Inventory returned product ${p.sku} without a unit price`); // UpsertProduct requires one
      const price = Amount.of(p.unitPrice);
      return [p.sku, { name: p.name, policy: backorderPolicyOf(p), unitPrice: price.toDecimal(), currencyCode: price.currencyCode }];
    }),
  );
  return batch.map((order) => new Map(order.lines.map((l) => [l.sku, bySku.get(l.sku)!])));
}

function placedOrder(order: WrittenOrder, held: Held, etas: Map<string, Eta>, products: Map<string, Product>): Order {
  const lines = order.lines.map((l) => {
    const allocated = held.get(l.lineId) ?? 0;
    const units = { quantity: l.quantity, allocated, backordered: l.quantity - allocated, shipped: 0, cancelled: 0 };
    return {
      line: {
        lineId: l.lineId,
        sku: l.sku,
        quantity: l.quantity,
        allocatedQuantity: units.allocated,
        backorderedQuantity: units.backordered,
        shippedQuantity: 0,
        cancelledQuantity: 0,
        status: lineStatus(units),
        eta: units.backordered > 0 ? toEta(etas.get(l.lineId)!) : undefined,
        productName: products.get(l.sku)?.name ?? '',
      },
      units,
    };
  });
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    customerEmail: order.customerEmail,
    priority: order.priority,
    fulfillmentPolicy: order.fulfillmentPolicy,
    status: orderStatus(lines.map((l) => l.units)),
    lines: lines.map((l) => l.line),
    createTime: order.createTime,
    cancelReason: '',
    shipments: [],
    readyToShipNow: shippableUnits(order.fulfillmentPolicy, lines.map((l) => ({ lineId: l.line.lineId, ...l.units }))).size > 0,
  };
}
