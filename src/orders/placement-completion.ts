import type { Priority } from '../gen/restock/common/v1/priority';
import type { FulfillmentPolicy, Order } from '../gen/restock/orders/v1/order';
import { notFound } from '../platform/errors';
import { moneyToDecimal } from '../platform/money';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { backorderRefusals, orderRefused, type BackorderPolicy } from './backorder-rules';
import { crashPoint } from './crash-points';
import { confirmationEmail } from './customer-emails';
import { matchEtas, supplyForecast, toEta, type Eta } from './etas';
import { loadOrder } from './order-queries';
import { lineStatus, orderStatus } from './order-status';
import { peerRefusal, peerUnavailable } from './peer-errors';
import type { LockedSession } from './sku-locks';

/** An order written but not yet finalized, and each line's reservation plan. */
export interface PendingOrder {
  orderId: string;
  placement: 'pending' | 'refused' | 'placed';
  customerId: string;
  customerEmail: string;
  priority: Priority;
  fulfillmentPolicy: FulfillmentPolicy;
  createTime: Date;
  lines: { lineId: string; sku: string; quantity: number; toReserve: number }[];
}

interface Product {
  policy: BackorderPolicy;
  unitPrice: string;
  currencyCode: string;
}

/**
 * Completes (or compensates) a written order under its SKUs' locks: reserve its plan in Inventory, check
 * the backorder rules for the shortfall, then finalize it in one statement — or release what was
 * reserved and drop the order. Every step can be repeated after a crash with the same outcome.
 */
export async function finishPlacement(deps: ServiceDeps, session: LockedSession, orderId: string, written?: PendingOrder): Promise<Order> {
  const order = written ?? (await readPendingOrder(session.sql, orderId));
  if (order.placement === 'placed') return loadOrder(session.sql, orderId);
  const drop = () => session.sql(`DELETE FROM orders.customer_order WHERE order_id = ?`, [orderId]);
  const reserved = await reserve(deps, order, drop);
  crashPoint('placement.stock-reserved');
  if (order.placement === 'refused') {
    await refuse(deps, session, orderId, reserved);
    throw notFound('order', orderId);
  }
  const shortfall = new Map<string, number>();
  for (const line of order.lines) {
    const short = line.quantity - (reserved.get(line.lineId) ?? 0);
    if (short > 0) shortfall.set(line.sku, (shortfall.get(line.sku) ?? 0) + short);
  }
  const products = shortfall.size > 0 ? await productsOf(deps, [...shortfall.keys()], drop) : new Map<string, Product>();
  if (shortfall.size > 0) {
    const open = await openBackorders(session.sql, order.customerId, [...shortfall.keys()]);
    const refusals = backorderRefusals(shortfall, new Map([...products].map(([sku, p]) => [sku, p.policy])), open);
    if (refusals.size > 0) {
      await refuse(deps, session, orderId, reserved);
      throw orderRefused(refusals, shortfall);
    }
  }
  const etas = await etasOfNewBackorders(deps, session.sql, order, reserved, [...shortfall.keys()]);
  const placed = placedOrder(order, reserved, etas);
  await finalize(session.sql, placed, products, etas);
  crashPoint('placement.finalized');
  return placed;
}

async function readPendingOrder(sql: Sql, orderId: string): Promise<PendingOrder> {
  const [order] = await sql<Omit<PendingOrder, 'lines' | 'createTime'> & { createTime: string }>(
    `SELECT order_id AS "orderId", placement, customer_id AS "customerId", customer_email AS "customerEmail", priority,
            fulfillment_policy AS "fulfillmentPolicy", create_time AS "createTime" FROM orders.customer_order WHERE order_id = ?`,
    [orderId],
  );
  if (!order) throw notFound('order', orderId);
  const lines = await sql<PendingOrder['lines'][number]>(
    `SELECT line_id AS "lineId", sku, quantity, to_reserve AS "toReserve" FROM orders.order_line WHERE order_id = ? ORDER BY line_number`,
    [orderId],
  );
  return { ...order, createTime: new Date(order.createTime), lines };
}

/** Reserves the lines' planned units (possibly fewer); an unknown SKU or bad line refuses the order. */
async function reserve(deps: ServiceDeps, order: PendingOrder, drop: () => Promise<unknown>): Promise<Map<string, number>> {
  const planned = order.lines.filter((l) => l.toReserve > 0);
  if (planned.length === 0) return new Map();
  try {
    const { results } = await deps.peers.inventory.reserveStock({
      requestId: `place:${order.orderId}`,
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

/** The products of the short SKUs; an unknown SKU refuses the order (nothing of it was reserved). */
async function productsOf(deps: ServiceDeps, skus: string[], drop: () => Promise<unknown>): Promise<Map<string, Product>> {
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

/** ETAs of the order's backordered lines: after the units already waiting ahead of them, against the SKU's forecast. */
async function etasOfNewBackorders(deps: ServiceDeps, sql: Sql, order: PendingOrder, reserved: Map<string, number>, skus: string[]): Promise<Map<string, Eta>> {
  const etas = new Map<string, Eta>();
  for (const sku of skus) {
    const [arrivals, [ahead]] = await Promise.all([
      supplyForecast(deps.peers, sku),
      sql<{ units: number }>(
        `SELECT coalesce(sum(backordered), 0)::int AS units FROM orders.order_line
         WHERE sku = ? AND backordered > 0 AND (priority > ? OR (priority = ? AND (queue_time, line_id) < (?::timestamptz, ?)))`,
        [sku, order.priority, order.priority, order.createTime, order.lines[0].lineId],
      ),
    ]);
    const mine = order.lines.filter((l) => l.sku === sku).map((l) => ({ lineId: l.lineId, waiting: l.quantity - (reserved.get(l.lineId) ?? 0) }));
    for (const [lineId, eta] of matchEtas([{ lineId: '', waiting: ahead.units }, ...mine.filter((l) => l.waiting > 0)], arrivals)) if (lineId) etas.set(lineId, eta);
  }
  return etas;
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

/** One statement: lines get their reservation, backorder and ETA, the order is placed, demand and the confirmation go to the outbox. */
async function finalize(sql: Sql, order: Order, products: Map<string, Product>, etas: Map<string, Eta>): Promise<void> {
  const lines = order.lines;
  const waiting = lines.filter((l) => l.backorderedQuantity > 0);
  const messages = [
    ...waiting.map((l) => ({ topic: 'procurement.record-demand', key: `record-demand:${l.lineId}`, payload: { demandId: l.lineId, sku: l.sku, quantity: l.backorderedQuantity } })),
    { topic: 'email', key: `order-confirmation:${order.orderId}`, payload: confirmationEmail(order) },
  ];
  const eta = (l: (typeof lines)[number]) => (l.backorderedQuantity > 0 ? etas.get(l.lineId) : undefined);
  await sql(
    `WITH placed AS (UPDATE orders.customer_order SET placement = 'placed' WHERE order_id = ? RETURNING order_id),
     lines AS (
       UPDATE orders.order_line l SET allocated = r.allocated, held_own = r.allocated, backordered = r.backordered, initially_backordered = r.backordered, pending = false,
         unit_price = r.unit_price, currency_code = r.currency_code, eta_expected = r.expected, eta_latest = r.latest, eta_source = r.source,
         eta_purchase_order_id = r.po, eta_notified = r.expected
       FROM unnest(?::text[], ?::int[], ?::int[], ?::numeric[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::text[])
         AS r(line_id, allocated, backordered, unit_price, currency_code, expected, latest, source, po)
       WHERE l.line_id = r.line_id RETURNING l.line_id)
     INSERT INTO orders.outbox (topic, dedupe_key, payload)
     SELECT * FROM unnest(?::text[], ?::text[], ?::jsonb[]) WHERE (SELECT count(*) FROM placed) = 1 AND (SELECT count(*) FROM lines) > 0
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      order.orderId,
      lines.map((l) => l.lineId),
      lines.map((l) => l.allocatedQuantity),
      lines.map((l) => l.backorderedQuantity),
      lines.map((l) => products.get(l.sku)?.unitPrice ?? null),
      lines.map((l) => products.get(l.sku)?.currencyCode ?? null),
      lines.map((l) => eta(l)?.expectedTime ?? null),
      lines.map((l) => eta(l)?.latestTime ?? null),
      lines.map((l) => eta(l)?.source ?? null),
      lines.map((l) => eta(l)?.purchaseOrderId ?? null),
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => JSON.stringify(m.payload)),
    ],
  );
}
