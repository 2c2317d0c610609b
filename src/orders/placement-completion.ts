import type { Priority } from '../gen/restock/common/v1/priority';
import type { FulfillmentPolicy, Order } from '../gen/restock/orders/v1/order';
import { settle } from '../platform/batcher';
import { notFound } from '../platform/errors';
import { Amount } from '../platform/money';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { backorderRefusals, orderRefused, type BackorderPolicy } from './backorder-rules';
import { crashPoint } from './crash-points';
import { confirmationEmail } from './customer-emails';
import { toEta, type Eta } from './etas';
import { etasOfNewBackorders, OpenBackorders } from './new-backorders';
import { loadOrder } from './order-queries';
import { lineStatus, orderStatus } from './order-status';
import { deleteOrder, finalizePlacedOrders, markOrderRefused, readWrittenOrder, type WrittenOrder } from './order.repository';
import { peerRefusal, peerUnavailable } from './peer-errors';
import type { LockedSession } from './sku-locks';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';
import { RECORD_DEMAND } from './topics';

/** An order written but not yet finalized, and each line's reservation plan. */
export type PendingOrder = WrittenOrder;

interface Product {
  policy: BackorderPolicy;
  unitPrice: string;
  currencyCode: string;
}

/** Completes (or compensates) one written order: finishPlacements for a batch of one. */
export async function finishPlacement(deps: ServiceDeps, session: LockedSession, orderId: string): Promise<Order> {
  const order = await readPendingOrder(session.sql, orderId);
  if (order.placement === 'placed') return loadOrder(session.sql, orderId);
  const [result] = await finishPlacements(deps, session, [order]);
  if (result.status === 'rejected') throw result.reason;
  if (result.status === 'again') throw new Error(`order ${orderId} was dropped alone in its batch`); // only a later order of a batch is
  return result.value;
}

/** A written order whose reservation is done, with what it got and what it lacks. */
interface Reserved {
  order: PendingOrder;
  reserved: Map<string, number>;
  shortfall: Map<string, number>;
}

/** How a written order ended: placed, refused, or dropped to be placed again (it was short-changed). */
export type PlacementOutcome = PromiseSettledResult<Order> | { status: 'again' };

/**
 * Completes (or compensates) written orders under their SKUs' locks: reserve their plans in Inventory
 * (one call for all, earlier orders first), check the backorder rules for each order's shortfall, then
 * finalize the accepted orders in one statement; a refused order releases what it reserved and is
 * dropped. A later order short of a SKU that a refused order gave back is dropped too, to be placed
 * again as if it had come after the refusal. Every step can be repeated after a crash with the same outcome.
 */
export async function finishPlacements(deps: ServiceDeps, session: LockedSession, orders: PendingOrder[]): Promise<PlacementOutcome[]> {
  if (orders.length === 0) return [];
  const outcomes = new Map<PendingOrder, PlacementOutcome>();
  const given = new Set<string>(); // SKUs that refused orders of this batch gave back
  const giveBack = (r: Reserved) => r.order.lines.filter((l) => (r.reserved.get(l.lineId) ?? 0) > 0).forEach((l) => given.add(l.sku));
  const refuseWith = async (r: Reserved, refusal: Error) => {
    outcomes.set(r.order, await settle(() => refuse(deps, session, r.order.orderId, r.reserved).then(() => Promise.reject(refusal))));
    giveBack(r);
  };
  const drop = (r: { order: PendingOrder }) => deleteOrder(session.sql, r.order.orderId);

  const reservations = await perOrder(orders.map((order) => ({ order })), (batch) => reserve(deps, batch.map((b) => b.order)), drop);
  crashPoint('placement.stock-reserved');
  const candidates: Reserved[] = [];
  for (const [i, order] of orders.entries()) {
    const result = reservations[i];
    if (result.status === 'rejected') outcomes.set(order, result);
    else if (order.placement === 'refused') await refuseWith({ order, reserved: result.value, shortfall: new Map() }, notFound('order', order.orderId));
    else candidates.push({ order, reserved: result.value, shortfall: shortfallOf(order, result.value) });
  }

  const products = await perOrder(candidates, (batch) => productsOf(deps, batch), (r) => refuse(deps, session, r.order.orderId, r.reserved));
  const open = new OpenBackorders(session.sql);
  const accepted: Reserved[] = [];
  const prices = new Map<string, Product>();
  for (const [i, candidate] of candidates.entries()) {
    const known = products[i];
    if (known.status === 'rejected') {
      outcomes.set(candidate.order, known);
      giveBack(candidate);
    } else if ([...candidate.shortfall.keys()].some((sku) => given.has(sku))) {
      await refuse(deps, session, candidate.order.orderId, candidate.reserved);
      outcomes.set(candidate.order, { status: 'again' });
    } else {
      for (const [sku, product] of known.value) prices.set(sku, product);
      const policies = new Map([...known.value].map(([sku, p]) => [sku, p.policy]));
      const refusals = backorderRefusals(candidate.shortfall, policies, await open.of(candidate.order.customerId, [...candidate.shortfall.keys()]));
      if (refusals.size > 0) {
        await refuseWith(candidate, orderRefused(refusals, candidate.shortfall));
      } else {
        open.add(candidate.order.customerId, candidate.shortfall);
        accepted.push(candidate);
      }
    }
  }

  const etas = await etasOfNewBackorders(deps, session.sql, accepted.map((r) => ({ ...r.order, reserved: r.reserved })));
  const placed = accepted.map((r) => placedOrder(r.order, r.reserved, etas));
  await finalize(session.sql, placed, prices, etas);
  crashPoint('placement.finalized');
  accepted.forEach((r, i) => outcomes.set(r.order, { status: 'fulfilled', value: placed[i] }));
  return orders.map((order) => outcomes.get(order)!);
}

/**
 * Calls Inventory once for the whole batch; when it refuses the batch (one order's unknown SKU, say),
 * once per order, in order, so that only the orders at fault are refused (onRefusal compensates them).
 * Anything else (Inventory unreachable) fails the batch: its orders stay pending for a retry or recovery.
 */
async function perOrder<B, T>(batch: B[], call: (batch: B[]) => Promise<T[]>, onRefusal: (item: B) => Promise<unknown>): Promise<PromiseSettledResult<T>[]> {
  try {
    return (await call(batch)).map((value) => ({ status: 'fulfilled', value }));
  } catch (error) {
    const refusal = peerRefusal(error);
    if (!refusal) throw peerUnavailable('inventory', error);
    if (batch.length === 1) {
      await onRefusal(batch[0]);
      return [{ status: 'rejected', reason: refusal }];
    }
  }
  const results: PromiseSettledResult<T>[] = [];
  for (const item of batch) results.push(...(await perOrder([item], call, onRefusal)));
  return results;
}

async function readPendingOrder(sql: Sql, orderId: string): Promise<PendingOrder> {
  const order = await readWrittenOrder(sql, orderId);
  if (!order) throw notFound('order', orderId);
  return order;
}

/** Reserves each order's planned units (possibly fewer) with one Inventory call: per order, units per line id. */
async function reserve(deps: ServiceDeps, orders: PendingOrder[]): Promise<Map<string, number>[]> {
  const planned = orders.filter((order) => order.lines.some((l) => l.toReserve > 0));
  const reserved = new Map<PendingOrder, Map<string, number>>();
  if (planned.length > 0) {
    const { responses } = await deps.peers.inventory.batchReserveStock({
      requests: planned.map((order) => ({
        requestId: `place:${order.orderId}`,
        lines: order.lines.filter((l) => l.toReserve > 0).map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.toReserve })),
        allowPartial: true,
      })),
    });
    planned.forEach((order, i) => reserved.set(order, new Map(responses[i].results.map((r) => [r.lineId, r.reservedQuantity]))));
  }
  return orders.map((order) => reserved.get(order) ?? new Map());
}

function shortfallOf(order: PendingOrder, reserved: Map<string, number>): Map<string, number> {
  const shortfall = new Map<string, number>();
  for (const line of order.lines) {
    const short = line.quantity - (reserved.get(line.lineId) ?? 0);
    if (short > 0) shortfall.set(line.sku, (shortfall.get(line.sku) ?? 0) + short);
  }
  return shortfall;
}

/** Per order, the products of its short SKUs, with one Inventory call (an unknown SKU refuses the call). */
async function productsOf(deps: ServiceDeps, batch: Reserved[]): Promise<Map<string, Product>[]> {
  const skus = [...new Set(batch.flatMap((r) => [...r.shortfall.keys()]))];
  if (skus.length === 0) return batch.map(() => new Map());
  const { products } = await deps.peers.inventory.batchGetProducts({ skus });
  const bySku = new Map(
    products.map((p) => {
      if (!p.unitPrice) throw new Error(`Inventory returned product ${p.sku} without a unit price`); // UpsertProduct requires one
      const price = Amount.of(p.unitPrice);
      const policy = { acceptBackorders: false, maxBackorderQuantityPerCustomer: 0, discontinued: false, ...p.backorderPolicy };
      return [p.sku, { policy, unitPrice: price.toDecimal(), currencyCode: price.currencyCode }];
    }),
  );
  return batch.map((r) => new Map([...r.shortfall.keys()].map((sku) => [sku, bySku.get(sku)!])));
}

/** Marks the order refused (so a crash cannot turn it back into a placement), releases its reservation, drops it. */
async function refuse(deps: ServiceDeps, session: LockedSession, orderId: string, reserved: Map<string, number>): Promise<void> {
  await markOrderRefused(session.sql, orderId);
  const held = [...reserved].filter(([, quantity]) => quantity > 0).map(([lineId, quantity]) => ({ lineId, quantity }));
  if (held.length > 0) {
    try {
      await deps.peers.inventory.releaseStock({ requestId: `unplace:${orderId}`, lines: held });
    } catch (error) {
      throw peerUnavailable('inventory', error);
    }
  }
  await deleteOrder(session.sql, orderId);
}

function placedOrder(order: PendingOrder, reserved: Map<string, number>, etas: Map<string, Eta>): Order {
  const lines = order.lines.map((l) => {
    const units = { quantity: l.quantity, allocated: reserved.get(l.lineId) ?? 0, backordered: l.quantity - (reserved.get(l.lineId) ?? 0), shipped: 0, cancelled: 0 };
    return {
      lineId: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
      allocatedQuantity: units.allocated,
      backorderedQuantity: units.backordered,
      shippedQuantity: 0,
      cancelledQuantity: 0,
      status: lineStatus(units),
      eta: units.backordered > 0 ? toEta(etas.get(l.lineId)!) : undefined,
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
    lines: lines.map(({ units: _units, ...line }) => line),
    createTime: order.createTime,
    cancelReason: '',
  };
}

/** One statement: lines get their reservation, backorder and ETA, the orders are placed, demand and confirmations go to the outbox. */
async function finalize(sql: Sql, orders: Order[], products: Map<string, Product>, etas: Map<string, Eta>): Promise<void> {
  if (orders.length === 0) return;
  const lines = orders.flatMap((order) => order.lines);
  const messages = orders.flatMap((order) => [
    ...order.lines
      .filter((l) => l.backorderedQuantity > 0)
      .map((l) => ({ orderId: order.orderId, ...message(RECORD_DEMAND, `record-demand:${l.lineId}`, { demandId: l.lineId, sku: l.sku, quantity: l.backorderedQuantity }) })),
    { orderId: order.orderId, ...message(EMAIL, `order-confirmation:${order.orderId}`, confirmationEmail(order)) },
  ]);
  const eta = (l: (typeof lines)[number]) => (l.backorderedQuantity > 0 ? etas.get(l.lineId) : undefined);
  await finalizePlacedOrders(
    sql,
    orders.map((o) => o.orderId),
    lines.map((l) => ({
      lineId: l.lineId,
      allocated: l.allocatedQuantity,
      backordered: l.backorderedQuantity,
      unitPrice: products.get(l.sku)?.unitPrice ?? null,
      currencyCode: products.get(l.sku)?.currencyCode ?? null,
      eta: eta(l),
    })),
    messages,
  );
}
