import { query } from './db';
import { waitFor, type TestApp } from './harness';

interface DemandRow {
  demandId: string;
  quantity: number;
  cancelledQuantity: number;
  buffered: number;
  onOrder: number;
}

interface BackorderedLine {
  lineId: string;
  initiallyBackordered: number;
  backordered: number;
  cancelledWaiting: number;
  allocated: number;
}

/**
 * Conservation of demand across the services, on a settled system (outboxes drained): in Procurement
 * every demanded unit is buffered, on a PO or cancelled; in Orders every backordered unit is waiting,
 * allocated or cancelled; and every unit Orders backordered is demand in Procurement (line id = demand id).
 * Pass the database of each service (the same URL when one process hosts them all); without Orders, only
 * Procurement's side is checked.
 */
export async function expectDemandConserved(databases: { procurement: string; orders?: string }): Promise<void> {
  const demands = await query<DemandRow>(
    databases.procurement,
    `SELECT d.demand_id, d.quantity, d.cancelled_quantity, coalesce(b.quantity, 0) AS buffered, coalesce(p.quantity, 0) AS on_order
     FROM procurement.demand d
     LEFT JOIN procurement.buffered_demand b USING (demand_id)
     LEFT JOIN (SELECT demand_id, sum(quantity)::int AS quantity FROM procurement.purchase_order_demand GROUP BY demand_id) p USING (demand_id)`,
  );
  const unaccounted = demands.filter((d) => d.quantity !== d.buffered + d.onOrder + d.cancelledQuantity);
  expect(unaccounted).toEqual([]);
  if (!databases.orders) return;

  const lines = await query<BackorderedLine>(
    databases.orders,
    `SELECT l.line_id, l.initially_backordered, l.backordered, l.cancelled_waiting, coalesce(a.quantity, 0) AS allocated
     FROM orders.order_line l
     LEFT JOIN (SELECT line_id, sum(quantity)::int AS quantity FROM orders.allocation GROUP BY line_id) a USING (line_id)
     WHERE NOT l.pending AND l.initially_backordered > 0`,
  );
  expect(lines.filter((l) => l.initiallyBackordered !== l.backordered + l.allocated + l.cancelledWaiting)).toEqual([]);
  const demanded = new Map(demands.map((d) => [d.demandId, d.quantity]));
  expect(lines.filter((l) => demanded.get(l.lineId) !== l.initiallyBackordered).map((l) => [l.lineId, l.initiallyBackordered, demanded.get(l.lineId)])).toEqual([]);
}

/** expectDemandConserved once Orders' demand messages (record, cancel) have all been delivered to Procurement. */
export async function expectDemandConservedOnceDelivered(databaseUrl: string): Promise<void> {
  await waitFor(
    async () =>
      (await query(databaseUrl, "SELECT 1 FROM orders.outbox WHERE status = 'pending' AND topic IN ('procurement.record-demand', 'procurement.cancel-demand')")).length === 0,
    { what: "Orders' demand messages to be delivered", timeoutMs: 60_000 },
  );
  await expectDemandConserved({ procurement: databaseUrl, orders: databaseUrl });
}

/** Each of these demands is wholly on exactly one PO, and none is left buffered (after every buffer was released). */
export async function expectDemandsOnOnePurchaseOrder(databaseUrl: string, demands: { demandId: string; quantity: number }[]): Promise<void> {
  const onOrders = await query<{ demandId: string; quantity: number; pos: number }>(
    databaseUrl,
    'SELECT demand_id, sum(quantity) AS quantity, count(*) AS pos FROM procurement.purchase_order_demand WHERE demand_id = ANY($1) GROUP BY demand_id ORDER BY demand_id',
    [demands.map((d) => d.demandId)],
  );
  const wanted = [...demands].sort((a, b) => (a.demandId < b.demandId ? -1 : 1)).map((d) => ({ demandId: d.demandId, quantity: d.quantity, pos: 1 }));
  expect(onOrders).toEqual(wanted);
  const buffered = await query(databaseUrl, 'SELECT demand_id FROM procurement.buffered_demand WHERE demand_id = ANY($1)', [demands.map((d) => d.demandId)]);
  expect(buffered).toEqual([]);
}

/**
 * Orders and Inventory agree, and nothing is oversold: per SKU 0 <= reserved <= on_hand, and what Inventory
 * holds equals the units Orders lines have allocated (after the outboxes settled).
 */
export async function expectStockAgrees(t: TestApp, skus: string[]): Promise<void> {
  for (const sku of skus) {
    const { stock } = await t.inventory.getStock({ sku });
    const [{ allocated }] = await query<{ allocated: number }>(t.databaseUrl, 'SELECT coalesce(sum(allocated), 0) AS allocated FROM orders.order_line WHERE sku = $1', [sku]);
    expect({ sku, reserved: stock!.reserved, withinOnHand: stock!.reserved <= stock!.onHand }).toEqual({ sku, reserved: allocated, withinOnHand: true });
  }
}

/** Inventory on its own: the SKU's reservations add up to its reserved units, and 0 <= reserved <= on_hand. */
export async function expectReservationsAddUp(t: TestApp, sku: string) {
  const { stock } = await t.inventory.getStock({ sku });
  const [{ held, shipped }] = await query<{ held: number; shipped: number }>(
    t.databaseUrl,
    'SELECT coalesce(sum(reserved), 0) AS held, coalesce(sum(shipped), 0) AS shipped FROM inventory.reservation WHERE sku = $1',
    [sku],
  );
  expect(stock!.reserved).toBe(held);
  expect(stock!.reserved).toBeGreaterThanOrEqual(0);
  expect(stock!.reserved).toBeLessThanOrEqual(stock!.onHand);
  return { ...stock!, shipped };
}

interface QueueLine {
  lineId: string;
  priority: number;
  /** Microsecond text, so lines placed within one millisecond still compare in order. */
  queueTime: string;
  waiting: number;
  reservedAtPlacement: number;
}

/**
 * FIFO on a settled SKU: no line behind a still-waiting line (same or lower priority, later in the queue)
 * got stock at placement or from an allocation made after that line started waiting (units written off since
 * excepted); and free stock never sits next to waiting lines.
 */
export async function expectFifo(t: TestApp, sku: string): Promise<void> {
  const lines = await query<QueueLine>(
    t.databaseUrl,
    `SELECT line_id, priority, to_char(queue_time, 'YYYY-MM-DD HH24:MI:SS.US') AS queue_time, backordered AS waiting,
            quantity - initially_backordered AS reserved_at_placement
     FROM orders.order_line WHERE sku = $1 AND NOT pending ORDER BY priority DESC, queue_time, line_id`,
    [sku],
  );
  // Units a write-off took back from a line no longer count as given to it: they come off its newest allocations.
  const allocations = await query<{ lineId: string; batchTime: string }>(
    t.databaseUrl,
    `SELECT line_id, batch_time FROM (
       SELECT a.line_id, to_char(b.create_time, 'YYYY-MM-DD HH24:MI:SS.US') AS batch_time, a.quantity,
              sum(a.quantity) OVER (PARTITION BY a.line_id ORDER BY a.allocation_id DESC) AS newer_and_this,
              coalesce((SELECT sum(w.quantity) FROM orders.write_off_line w JOIN orders.write_off o USING (request_id)
                        WHERE w.line_id = a.line_id AND o.state = 'applied'), 0) AS written_off
       FROM orders.allocation a JOIN orders.allocation_batch b USING (batch_id) WHERE b.sku = $1 AND a.quantity > 0) AS kept
     WHERE newer_and_this > written_off`,
    [sku],
  );
  const violations: string[] = [];
  lines.forEach((waiting, i) => {
    if (waiting.waiting === 0) return;
    for (const behind of lines.slice(i + 1)) {
      if (behind.priority > waiting.priority) continue;
      if (behind.queueTime > waiting.queueTime && behind.reservedAtPlacement > 0) violations.push(`${behind.lineId} reserved at placement while ${waiting.lineId} waited`);
      for (const a of allocations.filter((x) => x.lineId === behind.lineId && x.batchTime > waiting.queueTime)) {
        violations.push(`${a.lineId} allocated at ${a.batchTime} while ${waiting.lineId} waited`);
      }
    }
  });
  expect(violations).toEqual([]);
  const { stock } = await t.inventory.getStock({ sku });
  if (lines.some((l) => l.waiting > 0)) expect(stock!.available).toBe(0);
}

/**
 * Conservation on Orders' side of a settled SKU: demand recorded minus demand cancelled (as Orders sent
 * them) equals the units still waiting plus those filled by receipts (the demand's own supply).
 */
export async function expectOrdersConserveDemand(t: TestApp, sku: string): Promise<void> {
  const [demand] = await query<{ recorded: number; cancelled: number }>(
    t.databaseUrl,
    `SELECT coalesce(sum((payload->>'quantity')::int) FILTER (WHERE topic = 'procurement.record-demand'), 0) AS recorded,
            coalesce(sum((payload->>'quantity')::int) FILTER (WHERE topic = 'procurement.cancel-demand'), 0) AS cancelled
     FROM orders.outbox WHERE payload->>'demandId' IN (SELECT line_id FROM orders.order_line WHERE sku = $1)`,
    [sku],
  );
  const [lines] = await query<{ waiting: number; initially: number }>(
    t.databaseUrl,
    'SELECT coalesce(sum(backordered), 0) AS waiting, coalesce(sum(initially_backordered), 0) AS initially FROM orders.order_line WHERE sku = $1',
    [sku],
  );
  const [receipts] = await query<{ received: number; allocated: number }>(
    t.databaseUrl,
    `SELECT coalesce(sum(receipt_quantity), 0) AS received,
            coalesce((SELECT sum(quantity) FROM orders.allocation a JOIN orders.allocation_batch b USING (batch_id) WHERE b.sku = $1), 0) AS allocated
     FROM orders.allocation_batch WHERE sku = $1`,
    [sku],
  );
  const fromReceipts = Math.min(receipts.received, receipts.allocated);
  expect(demand.recorded).toBe(lines.initially);
  expect(demand.recorded - demand.cancelled).toBe(lines.waiting + fromReceipts);
}

/** No oversell, FIFO and conservation of a settled SKU in Orders and Inventory. */
export async function expectOrdersInvariants(t: TestApp, sku: string): Promise<void> {
  await expectStockAgrees(t, [sku]);
  await expectFifo(t, sku);
  await expectOrdersConserveDemand(t, sku);
}
