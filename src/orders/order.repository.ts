import type { Priority } from '../gen/restock/common/v1/priority';
import { EtaSource as EtaSourceValue, type EtaSource, type FulfillmentPolicy, type OrderEventType } from '../gen/restock/orders/v1/order';
import type { Sql } from '../platform/orm';
import type { OutboxMessage } from '../platform/topics';
import type { Eta } from './etas';
import type { LineUnits } from './order-status';

// Orders and their lines. Placement writes are set-based (one statement per batch); order reads stay SQL
// too, because the transactional writers (cancel, ship, allocate) load orders inside their `Sql` transaction.

/** An order as PlaceOrder asks for it, with the hash that tells a retry from another request. */
export interface OrderToWrite {
  orderId: string;
  requestId: string;
  requestHash: string;
  customerId: string;
  customerEmail: string;
  priority: Priority;
  fulfillmentPolicy: FulfillmentPolicy;
  lines: { sku: string; quantity: number }[];
}

/** A line written pending, with how many units its placement plans to reserve. */
export interface WrittenLine {
  requestId: string;
  orderId: string;
  lineId: string;
  sku: string;
  quantity: number;
  toReserve: number;
}

/**
 * Writes the orders and their lines as pending in one statement (an order whose request id is taken is
 * left out), each line planning how much to reserve: all of it, or nothing while an older line of the
 * same or a higher priority waits for (or is being placed on) its SKU — the FIFO gate. The caller gives
 * the order ids, sorting in input order: lines placed at the same time queue by line id.
 */
export function writePendingOrders(sql: Sql, now: Date, orders: OrderToWrite[]): Promise<WrittenLine[]> {
  const lines = orders.flatMap((order) => order.lines.map((line, i) => ({ requestId: order.requestId, ...line, n: i + 1 })));
  return sql<WrittenLine>(
    `WITH input AS (
       SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[]) WITH ORDINALITY
         AS i(order_id, request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, n)),
     o AS (
       INSERT INTO orders.customer_order (order_id, request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, create_time)
       SELECT order_id, request_id, request_hash, customer_id, customer_email, priority, fulfillment_policy, ?::timestamptz FROM input ORDER BY n
       ON CONFLICT (request_id) DO NOTHING
       RETURNING order_id, request_id, priority, create_time, customer_id),
     lines AS (
       INSERT INTO orders.order_line (line_id, order_id, line_number, sku, quantity, to_reserve, priority, queue_time, customer_id)
       SELECT o.order_id || '-' || lpad(l.n::text, 3, '0'), o.order_id, l.n, l.sku, l.quantity,
              CASE WHEN EXISTS (SELECT 1 FROM orders.order_line w WHERE w.sku = l.sku AND w.backordered > 0 AND w.priority >= o.priority)
                     OR EXISTS (SELECT 1 FROM orders.order_line w WHERE w.sku = l.sku AND w.pending AND w.priority >= o.priority)
                   THEN 0 ELSE l.quantity END,
              o.priority, o.create_time, o.customer_id
       FROM o JOIN unnest(?::text[], ?::text[], ?::int[], ?::int[]) AS l(request_id, sku, quantity, n) USING (request_id)
       RETURNING order_id, line_id, sku, quantity, to_reserve)
     SELECT o.request_id, lines.order_id, line_id, sku, quantity, to_reserve
     FROM lines JOIN o USING (order_id) ORDER BY line_id`,
    [
      orders.map((o) => o.orderId),
      orders.map((o) => o.requestId),
      orders.map((o) => o.requestHash),
      orders.map((o) => o.customerId),
      orders.map((o) => o.customerEmail),
      orders.map((o) => o.priority),
      orders.map((o) => o.fulfillmentPolicy),
      now,
      lines.map((l) => l.requestId),
      lines.map((l) => l.sku),
      lines.map((l) => l.quantity),
      lines.map((l) => l.n),
    ],
  );
}

/** Where an order's placement stands: pending (written), refused (being compensated) or placed. */
export type PlacementState = 'pending' | 'refused' | 'placed';

/** The order a request id wrote, if any. */
export async function findOrderByRequestId(sql: Sql, requestId: string): Promise<{ orderId: string; requestHash: string; placement: PlacementState } | undefined> {
  const [order] = await sql<{ orderId: string; requestHash: string; placement: PlacementState }>(
    `SELECT order_id, request_hash, placement FROM orders.customer_order WHERE request_id = ?`,
    [requestId],
  );
  return order;
}

/** An order as written at placement, with each line's reservation plan. */
export interface WrittenOrder {
  orderId: string;
  placement: PlacementState;
  customerId: string;
  customerEmail: string;
  priority: Priority;
  fulfillmentPolicy: FulfillmentPolicy;
  createTime: Date;
  lines: { lineId: string; sku: string; quantity: number; toReserve: number }[];
}

/** One order as written at placement (whatever its placement state), or undefined. */
export async function readWrittenOrder(sql: Sql, orderId: string): Promise<WrittenOrder | undefined> {
  const [order] = await sql<Omit<WrittenOrder, 'lines'>>(
    `SELECT order_id, placement, customer_id, customer_email, priority, fulfillment_policy, create_time FROM orders.customer_order WHERE order_id = ?`,
    [orderId],
  );
  if (!order) return undefined;
  const lines = await sql<WrittenOrder['lines'][number]>(`SELECT line_id, sku, quantity, to_reserve FROM orders.order_line WHERE order_id = ? ORDER BY line_number`, [orderId]);
  return { ...order, lines };
}

/** Orders whose placement a crash (or an unreachable Inventory) left unfinished, oldest first, with their SKUs. */
export function unfinishedOrders(sql: Sql): Promise<{ orderId: string; skus: string[] }[]> {
  return sql<{ orderId: string; skus: string[] }>(
    `SELECT o.order_id, array_agg(DISTINCT l.sku) AS skus FROM orders.customer_order o JOIN orders.order_line l USING (order_id)
     WHERE o.placement <> 'placed' GROUP BY o.order_id, o.create_time ORDER BY o.create_time, o.order_id`,
  );
}

/** Marks an order refused, so that a crash cannot turn it back into a placement. */
export async function markOrderRefused(sql: Sql, orderId: string): Promise<void> {
  await sql(`UPDATE orders.customer_order SET placement = 'refused' WHERE order_id = ?`, [orderId]);
}

/** Deletes an order that was never placed, with its lines. */
export async function deleteOrder(sql: Sql, orderId: string): Promise<void> {
  await sql(`DELETE FROM orders.customer_order WHERE order_id = ?`, [orderId]);
}

/** What a placed line ends up with: its reservation, backorder, price and ETA. */
export interface FinalLine {
  lineId: string;
  allocated: number;
  backordered: number;
  unitPrice: string | null;
  currencyCode: string | null;
  productName: string;
  eta: Eta | undefined;
}

/** An order event placement records (READY_TO_SHIP of an order that can ship at once). */
export interface PlacementEvent {
  orderId: string;
  type: OrderEventType;
  eventTime: Date;
}

/**
 * One statement: the still-pending orders are placed, their lines get their reservation, backorder,
 * price and ETA, and each order's events and messages are recorded (events in the order given).
 */
export async function finalizePlacedOrders(
  sql: Sql,
  orderIds: string[],
  lines: FinalLine[],
  events: PlacementEvent[],
  messages: (OutboxMessage & { orderId: string })[],
): Promise<void> {
  await sql(
    `WITH placed AS (UPDATE orders.customer_order SET placement = 'placed' WHERE order_id = ANY(?) AND placement = 'pending' RETURNING order_id),
     lines AS (
       UPDATE orders.order_line l SET allocated = r.allocated, held_own = r.allocated, backordered = r.backordered, initially_backordered = r.backordered, pending = false,
         unit_price = r.unit_price, currency_code = r.currency_code, eta_expected = r.expected, eta_latest = r.latest, eta_source = r.source,
         eta_purchase_order_id = r.po, eta_notified = r.expected, product_name = r.product_name
       FROM unnest(?::text[], ?::int[], ?::int[], ?::numeric[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::text[], ?::text[])
         AS r(line_id, allocated, backordered, unit_price, currency_code, expected, latest, source, po, product_name)
       WHERE l.line_id = r.line_id AND l.order_id IN (SELECT order_id FROM placed) RETURNING l.line_id),
     events AS (
       INSERT INTO orders.order_event (order_id, type, event_time)
       SELECT e.order_id, e.type, e.event_time FROM unnest(?::text[], ?::int[], ?::timestamptz[]) WITH ORDINALITY AS e(order_id, type, event_time, n)
       WHERE e.order_id IN (SELECT order_id FROM placed) ORDER BY n)
     INSERT INTO orders.outbox (topic, dedupe_key, payload, traceparent)
     SELECT m.topic, m.dedupe_key, m.payload, m.traceparent FROM unnest(?::text[], ?::text[], ?::text[], ?::jsonb[], ?::text[]) AS m(order_id, topic, dedupe_key, payload, traceparent)
     WHERE m.order_id IN (SELECT order_id FROM placed) AND (SELECT count(*) FROM lines) > 0
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      orderIds,
      lines.map((l) => l.lineId),
      lines.map((l) => l.allocated),
      lines.map((l) => l.backordered),
      lines.map((l) => l.unitPrice),
      lines.map((l) => l.currencyCode),
      lines.map((l) => l.eta?.expectedTime ?? null),
      lines.map((l) => l.eta?.latestTime ?? null),
      lines.map((l) => l.eta?.source ?? null),
      lines.map((l) => l.eta?.purchaseOrderId ?? null),
      lines.map((l) => l.productName),
      events.map((e) => e.orderId),
      events.map((e) => e.type),
      events.map((e) => e.eventTime),
      messages.map((m) => m.orderId),
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => JSON.stringify(m.payload)),
      messages.map((m) => m.traceparent ?? null),
    ],
  );
}

/** A placed order's row. */
export interface OrderRow {
  orderId: string;
  customerId: string;
  customerEmail: string;
  priority: Priority;
  fulfillmentPolicy: FulfillmentPolicy;
  cancelReason: string;
  createTime: Date;
}

/** An order line's row: its units and stored ETA. */
export interface LineRow extends LineUnits {
  lineId: string;
  orderId: string;
  sku: string;
  etaExpected: Date | null;
  etaLatest: Date | null;
  etaSource: EtaSource | null;
  etaPurchaseOrderId: string | null;
  productName: string;
}

/** The placed orders with these ids (any order) and all their lines (by order, then line number). */
export async function readPlacedOrders(sql: Sql, orderIds: string[]): Promise<{ orders: OrderRow[]; lines: LineRow[] }> {
  const orders = await sql<OrderRow>(
    `SELECT order_id, customer_id, customer_email, priority, fulfillment_policy, cancel_reason, create_time
     FROM orders.customer_order WHERE order_id = ANY(?) AND placement = 'placed'`,
    [orderIds],
  );
  const lines = await sql<LineRow>(
    `SELECT line_id, order_id, sku, quantity, allocated, backordered, shipped, cancelled, eta_expected, eta_latest, eta_source, eta_purchase_order_id, product_name
     FROM orders.order_line WHERE order_id = ANY(?) ORDER BY order_id, line_number`,
    [orderIds],
  );
  return { orders, lines };
}

/** The SKUs of a placed order (none when there is no such placed order). */
export async function placedOrderSkus(sql: Sql, orderId: string): Promise<string[]> {
  const rows = await sql<{ sku: string }>(
    `SELECT DISTINCT sku FROM orders.order_line l JOIN orders.customer_order o USING (order_id) WHERE o.order_id = ? AND o.placement = 'placed'`,
    [orderId],
  );
  return rows.map((r) => r.sku);
}

/** A placed order's fulfillment policy, its row locked for the caller's transaction; undefined when not placed. */
export async function lockPlacedOrder(sql: Sql, orderId: string): Promise<{ fulfillmentPolicy: FulfillmentPolicy } | undefined> {
  const [order] = await sql<{ fulfillmentPolicy: FulfillmentPolicy }>(
    `SELECT fulfillment_policy FROM orders.customer_order WHERE order_id = ? AND placement = 'placed' FOR UPDATE`,
    [orderId],
  );
  return order;
}

/** An order's lines with their units, in line order, locked for the caller's transaction. */
export function lockOrderLines(sql: Sql, orderId: string): Promise<(LineUnits & { lineId: string; sku: string })[]> {
  return sql<LineUnits & { lineId: string; sku: string }>(
    `SELECT line_id, sku, quantity, allocated, backordered, shipped, cancelled FROM orders.order_line WHERE order_id = ? ORDER BY line_number FOR UPDATE`,
    [orderId],
  );
}

/** Cancels units of a line: waiting ones leave the backorder, the rest leave its allocation. */
export async function cancelLineUnits(sql: Sql, lineId: string, units: { waiting: number; allocated: number }): Promise<void> {
  await sql(
    `UPDATE orders.order_line SET backordered = backordered - ?, allocated = allocated - ?, cancelled = cancelled + ?, cancelled_waiting = cancelled_waiting + ? WHERE line_id = ?`,
    [units.waiting, units.allocated, units.waiting + units.allocated, units.waiting, lineId],
  );
}

/** Records a cancellation with its reason and who cancelled; returns its id. */
export async function insertCancellation(
  sql: Sql,
  cancellation: { orderId: string; lineId: string; waiting: number; allocated: number; reason: string; cancelledBy: string; createTime: Date },
): Promise<string> {
  const [{ id }] = await sql<{ id: string }>(
    `INSERT INTO orders.cancellation (order_id, line_id, waiting, allocated, reason, cancelled_by, create_time) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING cancellation_id::text AS id`,
    [cancellation.orderId, cancellation.lineId, cancellation.waiting, cancellation.allocated, cancellation.reason, cancellation.cancelledBy, cancellation.createTime],
  );
  return id;
}

/** Keeps why a whole order was cancelled. */
export async function setCancelReason(sql: Sql, orderId: string, reason: string): Promise<void> {
  await sql(`UPDATE orders.customer_order SET cancel_reason = ? WHERE order_id = ?`, [reason, orderId]);
}

/** The content hash of a shipment already recorded under this id, if any. */
export async function findShipmentHash(sql: Sql, shipmentId: string): Promise<string | undefined> {
  const [shipment] = await sql<{ requestHash: string }>(`SELECT request_hash FROM orders.shipment WHERE shipment_id = ?`, [shipmentId]);
  return shipment?.requestHash;
}

/** Records a shipment and its lines, and moves the shipped units of each line from allocated to shipped. */
export async function recordShipment(
  sql: Sql,
  shipment: { shipmentId: string; orderId: string; requestHash: string; carrier: string; trackingNumber: string; createTime: Date; estimatedDeliveryTime: Date | null },
  lines: { lineId: string; quantity: number }[],
): Promise<void> {
  await sql(
    `INSERT INTO orders.shipment (shipment_id, order_id, request_hash, carrier, tracking_number, create_time, estimated_delivery_time) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [shipment.shipmentId, shipment.orderId, shipment.requestHash, shipment.carrier, shipment.trackingNumber, shipment.createTime, shipment.estimatedDeliveryTime],
  );
  await sql(`INSERT INTO orders.shipment_line (shipment_id, line_id, quantity) SELECT ?, * FROM unnest(?::text[], ?::int[])`, [
    shipment.shipmentId,
    lines.map((l) => l.lineId),
    lines.map((l) => l.quantity),
  ]);
  await sql(
    `UPDATE orders.order_line l SET allocated = l.allocated - s.quantity, shipped = l.shipped + s.quantity
     FROM unnest(?::text[], ?::int[]) AS s(line_id, quantity) WHERE l.line_id = s.line_id`,
    [lines.map((l) => l.lineId), lines.map((l) => l.quantity)],
  );
}

/** Units of each SKU a customer's placed lines still wait for. */
export async function openBackordersOfCustomer(sql: Sql, customerId: string, skus: string[]): Promise<Map<string, number>> {
  const rows = await openBackordersOfCustomers(sql, skus.map((sku) => ({ customerId, sku })));
  return new Map(rows.map((r) => [r.sku, r.units]));
}

/** Units each customer's placed lines still wait for, per (customer, SKU) asked, in one statement; pairs with none are left out. */
export function openBackordersOfCustomers(sql: Sql, pairs: { customerId: string; sku: string }[]): Promise<{ customerId: string; sku: string; units: number }[]> {
  return sql<{ customerId: string; sku: string; units: number }>(
    `SELECT l.customer_id, l.sku, sum(l.backordered)::int AS units
     FROM (SELECT DISTINCT customer_id, sku FROM unnest(?::text[], ?::text[]) AS p(customer_id, sku)) p
     JOIN orders.order_line l ON l.customer_id = p.customer_id AND l.sku = p.sku AND l.backordered > 0
     GROUP BY l.customer_id, l.sku`,
    [pairs.map((p) => p.customerId), pairs.map((p) => p.sku)],
  );
}

/** The placed orders with lines waiting for a SKU, oldest first, with all their SKUs (to lock them). */
export function ordersWaitingForSku(sql: Sql, sku: string): Promise<{ orderId: string; skus: string[] }[]> {
  return sql<{ orderId: string; skus: string[] }>(
    `SELECT o.order_id, array_agg(DISTINCT a.sku) AS skus
     FROM orders.customer_order o JOIN orders.order_line a USING (order_id)
     WHERE o.placement = 'placed' AND EXISTS (SELECT 1 FROM orders.order_line w WHERE w.order_id = o.order_id AND w.sku = ? AND w.backordered > 0)
     GROUP BY o.order_id, o.create_time ORDER BY o.create_time, o.order_id`,
    [sku],
  );
}

/** Units of each SKU all customers' placed lines still wait for (the product cap counts them). */
export async function openBackordersOfSkus(sql: Sql, skus: string[]): Promise<Map<string, number>> {
  const rows = await sql<{ sku: string; units: number }>(
    `SELECT sku, sum(backordered)::int AS units FROM orders.order_line WHERE sku = ANY(?) AND backordered > 0 GROUP BY sku`,
    [skus],
  );
  return new Map(rows.map((r) => [r.sku, r.units]));
}

/**
 * A SKU's queue as a new standard-priority line would find it: the units waiting (all of them queue ahead
 * of it) and whether any line waits or is being placed (then the FIFO gate gives it no stock).
 */
export async function queueOfSku(sql: Sql, sku: string): Promise<{ waiting: number; gateClosed: boolean }> {
  const [row] = await sql<{ waiting: number; gateClosed: boolean }>(
    `SELECT coalesce(sum(backordered), 0)::int AS waiting, count(*) > 0 AS gate_closed
     FROM orders.order_line WHERE sku = ? AND (backordered > 0 OR pending)`,
    [sku],
  );
  return row;
}

/** Per new line, the units already waiting ahead of it in its SKU's queue (one query for all). */
export async function unitsQueuedAhead(sql: Sql, lines: { lineId: string; sku: string; priority: Priority; queueTime: Date }[]): Promise<Map<string, number>> {
  const rows = await sql<{ lineId: string; units: number }>(
    `SELECT b.line_id,
            (SELECT coalesce(sum(w.backordered), 0) FROM orders.order_line w WHERE w.sku = b.sku AND w.backordered > 0
               AND (w.priority > b.priority OR (w.priority = b.priority AND (w.queue_time, w.line_id) < (b.queue_time, b.line_id))))::int AS units
     FROM unnest(?::text[], ?::text[], ?::int[], ?::timestamptz[]) AS b(line_id, sku, priority, queue_time)`,
    [lines.map((l) => l.lineId), lines.map((l) => l.sku), lines.map((l) => l.priority), lines.map((l) => l.queueTime)],
  );
  return new Map(rows.map((r) => [r.lineId, r.units]));
}

/** A waiting line with the ETA stored for it and the expected date its customer was last told. */
export interface WaitingLine {
  lineId: string;
  orderId: string;
  sku: string;
  waiting: number;
  etaExpected: Date | null;
  etaSource: EtaSource | null;
  etaPurchaseOrderId: string | null;
  etaNotified: Date | null;
}

/** A SKU's waiting lines in allocation order. */
export function waitingLinesOfSku(sql: Sql, sku: string): Promise<WaitingLine[]> {
  return waitingLinesOfSkus(sql, [sku]);
}

/** The SKUs' waiting lines, by SKU, each SKU's in allocation order. */
export function waitingLinesOfSkus(sql: Sql, skus: string[]): Promise<WaitingLine[]> {
  return sql<WaitingLine>(
    `SELECT line_id, order_id, sku, backordered AS waiting, eta_expected, eta_source, eta_purchase_order_id, eta_notified
     FROM orders.order_line WHERE sku = ANY(?) AND backordered > 0 ORDER BY sku, priority DESC, queue_time, line_id`,
    [skus],
  );
}

/** Saves lines' ETAs; with told, also as what the customer was told (the baseline for "slipped"). */
export async function updateLineEtas(sql: Sql, etas: Map<string, Eta>, { told }: { told: boolean }): Promise<void> {
  if (etas.size === 0) return;
  const list = [...etas];
  await sql(
    `UPDATE orders.order_line l SET eta_expected = e.expected, eta_latest = e.latest, eta_source = e.source, eta_purchase_order_id = e.po,
       eta_notified = CASE WHEN ? THEN e.expected ELSE l.eta_notified END
     FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::text[]) AS e(line_id, expected, latest, source, po)
     WHERE l.line_id = e.line_id`,
    [told, list.map(([id]) => id), list.map(([, e]) => e.expectedTime ?? null), list.map(([, e]) => e.latestTime ?? null), list.map(([, e]) => e.source), list.map(([, e]) => e.purchaseOrderId)],
  );
}

/** The lines' customers now know their stored expected date; with onlyUntold, only lines never told one. */
export async function markEtasNotified(sql: Sql, lineIds: string[], { onlyUntold }: { onlyUntold: boolean }): Promise<void> {
  await sql(`UPDATE orders.order_line SET eta_notified = eta_expected WHERE line_id = ANY(?) AND (NOT ? OR eta_notified IS NULL)`, [lineIds, onlyUntold]);
}

/** A waiting line whose stored ETA is good news to its customer: known, and first known or a day or more earlier than told. */
export interface EtaImprovement {
  lineId: string;
  orderId: string;
  sku: string;
  waiting: number;
  etaExpected: Date;
  etaLatest: Date | null;
  etaSource: EtaSource;
  etaPurchaseOrderId: string | null;
  etaNotified: Date | null;
}

/** The waiting lines of these orders whose stored ETA their customers have not heard and is good news (see etaImproved), by order and line. */
export function untoldEtaImprovements(sql: Sql, orderIds: string[]): Promise<EtaImprovement[]> {
  return sql<EtaImprovement>(
    `SELECT line_id, order_id, sku, backordered AS waiting, eta_expected, eta_latest, eta_source, eta_purchase_order_id, eta_notified
     FROM orders.order_line
     WHERE order_id = ANY(?) AND backordered > 0 AND eta_expected IS NOT NULL AND eta_source <> ?
       AND (eta_notified IS NULL OR eta_notified - eta_expected >= interval '1 day')
     ORDER BY order_id, line_number`,
    [orderIds, EtaSourceValue.ETA_SOURCE_UNKNOWN],
  );
}

/** Placed orders still waiting for stock that were placed days or more ago, with how many whole periods of days they waited. */
export function ordersStillWaiting(sql: Sql, now: Date, days: number): Promise<{ orderId: string; period: number }[]> {
  return sql<{ orderId: string; period: number }>(
    `SELECT o.order_id, floor(extract(epoch FROM ?::timestamptz - o.create_time) / 86400 / ?)::int AS period
     FROM orders.customer_order o
     WHERE o.placement = 'placed' AND o.create_time <= ?::timestamptz - make_interval(days => ?)
       AND EXISTS (SELECT 1 FROM orders.order_line l WHERE l.order_id = o.order_id AND l.backordered > 0)`,
    [now, days, now, days],
  );
}

/** The backorder KPIs' raw figures, in one aggregate over placed order lines. */
export interface BackorderFigures {
  backorderRate: number;
  openLines: number;
  openUnits: number;
  openValues: { currencyCode: string; value: string }[];
  oldestAgeDays: number;
  meanFillDays: number;
  p90FillDays: number;
  cancelRate: number;
  shareWithin7Days: number;
  orderBackorderRate: number;
  openOrders: number;
}

/** Which placed lines the KPIs cover: placed in [start, end) (null = unbounded), of some SKUs (null = all). */
export interface FiguresScope {
  start: Date | null;
  end: Date | null;
  skus: string[] | null;
}

/**
 * Backorder rate (lines backordered at placement), open lines/units/value per currency, oldest waiting
 * age, fill time (placement to full allocation, mean and continuous p90), cancel rate (backordered units
 * cancelled) and the share of open units expected from now to 7 days from now (past ETAs left out), over the
 * lines in scope (by order_line_by_queue_time for a window, order_line_by_sku for SKUs); per order, the share
 * of orders with a line backordered at placement and the orders with a line still waiting.
 */
export async function backorderFigures(sql: Sql, now: Date, scope: FiguresScope = { start: null, end: null, skus: null }): Promise<BackorderFigures> {
  const [figures] = await sql<BackorderFigures>(
    `WITH line AS (
       SELECT *, extract(epoch FROM fill_time - queue_time) / 86400 AS fill_days
       FROM orders.order_line WHERE NOT pending AND (?::timestamptz IS NULL OR queue_time >= ?::timestamptz)
         AND (?::timestamptz IS NULL OR queue_time < ?::timestamptz) AND (?::text[] IS NULL OR sku = ANY(?::text[])))
     SELECT coalesce(count(*) FILTER (WHERE initially_backordered > 0)::float8 / nullif(count(*), 0), 0) AS backorder_rate,
            count(*) FILTER (WHERE backordered > 0)::int AS open_lines,
            coalesce(sum(backordered), 0)::int AS open_units,
            (SELECT coalesce(json_agg(json_build_object('currencyCode', currency_code, 'value', value::text) ORDER BY currency_code), '[]')
             FROM (SELECT currency_code, sum(backordered * unit_price) AS value FROM line WHERE backordered > 0 GROUP BY currency_code) v) AS open_values,
            coalesce(extract(epoch FROM ?::timestamptz - min(queue_time) FILTER (WHERE backordered > 0)) / 86400, 0)::float8 AS oldest_age_days,
            coalesce(avg(fill_days) FILTER (WHERE initially_backordered > 0 AND fill_time IS NOT NULL), 0)::float8 AS mean_fill_days,
            coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY fill_days) FILTER (WHERE initially_backordered > 0 AND fill_time IS NOT NULL), 0)::float8 AS p90_fill_days,
            coalesce(sum(cancelled_waiting)::float8 / nullif(sum(initially_backordered), 0), 0) AS cancel_rate,
            coalesce(sum(backordered) FILTER (WHERE eta_expected >= ?::timestamptz AND eta_expected <= ?::timestamptz + interval '7 days')::float8
              / nullif(sum(backordered), 0), 0) AS share_within7_days,
            coalesce(count(DISTINCT order_id) FILTER (WHERE initially_backordered > 0)::float8 / nullif(count(DISTINCT order_id), 0), 0) AS order_backorder_rate,
            count(DISTINCT order_id) FILTER (WHERE backordered > 0)::int AS open_orders
     FROM line`,
    [scope.start, scope.start, scope.end, scope.end, scope.skus, scope.skus, now, now, now],
  );
  return figures;
}

/** Placed lines with backordered units waiting for stock, and those units, through the backorder_queue index. */
export async function waitingBackorders(sql: Sql): Promise<{ lines: number; units: number }> {
  const [waiting] = await sql<{ lines: number; units: number }>(
    `SELECT count(*)::int AS lines, coalesce(sum(backordered), 0)::int8 AS units FROM orders.order_line WHERE backordered > 0 AND NOT pending`,
  );
  return waiting;
}
