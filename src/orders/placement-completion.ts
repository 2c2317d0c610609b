import type { Order } from '../gen/restock/orders/v1/order';
import { moneyToDecimal } from '../platform/money';
import { notFound } from '../platform/errors';
import { enqueue } from '../platform/outbox';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { backorderRefusals, orderRefused, type BackorderPolicy } from './backorder-rules';
import { crashPoint } from './crash-points';
import { confirmationEmail } from './customer-emails';
import { matchEtas, supplyForecast, type Eta } from './etas';
import { storeEtas } from './eta-refresh';
import { loadOrder } from './order-queries';
import { peerRefusal, peerUnavailable } from './peer-errors';
import type { LockedSession } from './sku-locks';

interface PendingLine {
  lineId: string;
  sku: string;
  quantity: number;
  toReserve: number;
}

interface Product {
  policy: BackorderPolicy;
  unitPrice: string;
  currencyCode: string;
}

/**
 * Completes (or compensates) a written order under its SKUs' locks: reserve its plan in Inventory, check
 * the backorder rules for the shortfall, then finalize it in one transaction — or release what was
 * reserved and drop the order. Every step can be repeated after a crash with the same outcome.
 */
export async function finishPlacement(deps: ServiceDeps, session: LockedSession, orderId: string): Promise<Order> {
  const [order] = await session.sql<{ placement: string; customerId: string }>(
    `SELECT placement, customer_id AS "customerId" FROM orders.customer_order WHERE order_id = ?`,
    [orderId],
  );
  if (!order) throw notFound('order', orderId);
  if (order.placement === 'placed') return loadOrder(session.sql, orderId);
  const lines = await session.sql<PendingLine>(
    `SELECT line_id AS "lineId", sku, quantity, to_reserve AS "toReserve" FROM orders.order_line WHERE order_id = ? ORDER BY line_number`,
    [orderId],
  );
  const drop = () => session.sql(`DELETE FROM orders.customer_order WHERE order_id = ?`, [orderId]);
  const reserved = await reserve(deps, orderId, lines, drop);
  crashPoint('placement.stock-reserved');
  if (order.placement === 'refused') {
    await refuse(deps, session, orderId, reserved);
    throw notFound('order', orderId);
  }
  const shortfall = new Map<string, number>();
  for (const line of lines) {
    const short = line.quantity - (reserved.get(line.lineId) ?? 0);
    if (short > 0) shortfall.set(line.sku, (shortfall.get(line.sku) ?? 0) + short);
  }
  const products = shortfall.size > 0 ? await productsOf(deps, reserved, [...shortfall.keys()], drop) : new Map<string, Product>();
  if (shortfall.size > 0) {
    const open = await openBackorders(session.sql, order.customerId, [...shortfall.keys()]);
    const refusals = backorderRefusals(shortfall, new Map([...products].map(([sku, p]) => [sku, p.policy])), open);
    if (refusals.size > 0) {
      await refuse(deps, session, orderId, reserved);
      throw orderRefused(refusals, shortfall);
    }
  }
  const forecasts = new Map(await Promise.all([...shortfall.keys()].map(async (sku) => [sku, await supplyForecast(deps.peers, sku)] as const)));
  await session.transaction((sql) => finalize(sql, orderId, lines, reserved, products, forecasts));
  crashPoint('placement.finalized');
  return loadOrder(session.sql, orderId);
}

/** Reserves the lines' planned units (possibly fewer); an unknown SKU or bad line refuses the order. */
async function reserve(deps: ServiceDeps, orderId: string, lines: PendingLine[], drop: () => Promise<unknown>): Promise<Map<string, number>> {
  const planned = lines.filter((l) => l.toReserve > 0);
  if (planned.length === 0) return new Map();
  try {
    const { results } = await deps.peers.inventory.reserveStock({
      requestId: `place:${orderId}`,
      lines: planned.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.toReserve })),
      allowPartial: true,
    });
    return new Map(results.map((r) => [r.lineId, r.reservedQuantity]));
  } catch (error) {
    const refusal = peerRefusal(error);
    if (!refusal) throw peerUnavailable('inventory', error);
    await drop();
    throw refusal;
  }
}

/** The products of the short SKUs; an unknown SKU refuses the order. */
async function productsOf(deps: ServiceDeps, reserved: Map<string, number>, skus: string[], drop: () => Promise<unknown>): Promise<Map<string, Product>> {
  try {
    const { products } = await deps.peers.inventory.batchGetProducts({ skus });
    return new Map(
      products.map((p) => [
        p.sku,
        {
          policy: { acceptBackorders: false, maxBackorderQuantityPerCustomer: 0, discontinued: false, ...p.backorderPolicy },
          unitPrice: moneyToDecimal(p.unitPrice ?? { currencyCode: 'XXX', units: 0, nanos: 0 }),
          currencyCode: p.unitPrice?.currencyCode ?? 'XXX',
        },
      ]),
    );
  } catch (error) {
    const refusal = peerRefusal(error);
    if (!refusal) throw peerUnavailable('inventory', error);
    if ([...reserved.values()].some((q) => q > 0)) throw peerUnavailable('inventory', error); // cannot happen: reserved SKUs exist
    await drop();
    throw refusal;
  }
}

/** Units of each SKU the customer already waits for. */
async function openBackorders(sql: Sql, customerId: string, skus: string[]): Promise<Map<string, number>> {
  const rows = await sql<{ sku: string; units: number }>(
    `SELECT sku, sum(backordered)::int AS units FROM orders.order_line WHERE customer_id = ? AND sku = ANY(?) AND backordered > 0 GROUP BY sku`,
    [customerId, skus],
  );
  return new Map(rows.map((r) => [r.sku, r.units]));
}

/** Marks the order refused (so a crash cannot turn it back into a placement), releases its reservation, drops it. */
async function refuse(deps: ServiceDeps, session: LockedSession, orderId: string, reserved: Map<string, number>): Promise<void> {
  await session.sql(`UPDATE orders.customer_order SET placement = 'refused' WHERE order_id = ?`, [orderId]);
  const held = [...reserved].filter(([, quantity]) => quantity > 0).map(([lineId, quantity]) => ({ lineId, quantity }));
  if (held.length > 0) {
    try {
      await deps.peers.inventory.releaseStock({ requestId: `unplace:${orderId}`, lines: held });
    } catch (error) {
      throw peerUnavailable('inventory', error);
    }
  }
  await session.sql(`DELETE FROM orders.customer_order WHERE order_id = ?`, [orderId]);
}

/** One transaction: lines get their reservation and backorder, demand and the confirmation go to the outbox. */
async function finalize(sql: Sql, orderId: string, lines: PendingLine[], reserved: Map<string, number>, products: Map<string, Product>, forecasts: Map<string, Awaited<ReturnType<typeof supplyForecast>>>): Promise<void> {
  await sql(
    `UPDATE orders.order_line l SET allocated = r.reserved, backordered = l.quantity - r.reserved, initially_backordered = l.quantity - r.reserved,
       pending = false, unit_price = r.unit_price, currency_code = r.currency_code
     FROM unnest(?::text[], ?::int[], ?::numeric[], ?::text[]) AS r(line_id, reserved, unit_price, currency_code)
     WHERE l.line_id = r.line_id`,
    [lines.map((l) => l.lineId), lines.map((l) => reserved.get(l.lineId) ?? 0), lines.map((l) => products.get(l.sku)?.unitPrice ?? null), lines.map((l) => products.get(l.sku)?.currencyCode ?? null)],
  );
  await sql(`UPDATE orders.customer_order SET placement = 'placed' WHERE order_id = ?`, [orderId]);
  const waiting = lines.filter((l) => l.quantity > (reserved.get(l.lineId) ?? 0));
  const etas = new Map<string, Eta>();
  for (const [sku, arrivals] of forecasts) {
    const ahead = await waitingAhead(sql, sku, orderId);
    const mine = waiting.filter((l) => l.sku === sku).map((l) => ({ lineId: l.lineId, waiting: l.quantity - (reserved.get(l.lineId) ?? 0) }));
    for (const [lineId, eta] of matchEtas([{ lineId: '', waiting: ahead }, ...mine], arrivals)) if (lineId) etas.set(lineId, eta);
  }
  await storeEtas(sql, etas, { told: true });
  const order = await loadOrder(sql, orderId);
  await enqueue(sql, 'orders', [
    ...waiting.map((l) => ({
      topic: 'procurement.record-demand',
      key: `record-demand:${l.lineId}`,
      payload: { demandId: l.lineId, sku: l.sku, quantity: l.quantity - (reserved.get(l.lineId) ?? 0) },
    })),
    { topic: 'email', key: `order-confirmation:${orderId}`, payload: confirmationEmail(order) },
  ]);
}

/** Units of a SKU that wait ahead of this order's lines in allocation order. */
async function waitingAhead(sql: Sql, sku: string, orderId: string): Promise<number> {
  const [row] = await sql<{ units: number }>(
    `SELECT coalesce(sum(w.backordered), 0)::int AS units
     FROM orders.order_line w, (SELECT priority, queue_time, min(line_id) AS line_id FROM orders.order_line WHERE order_id = ? AND sku = ? GROUP BY priority, queue_time) me
     WHERE w.sku = ? AND w.backordered > 0 AND w.order_id <> ?
       AND (w.priority > me.priority OR (w.priority = me.priority AND (w.queue_time, w.line_id) < (me.queue_time, me.line_id)))`,
    [orderId, sku, sku, orderId],
  );
  return row?.units ?? 0;
}
