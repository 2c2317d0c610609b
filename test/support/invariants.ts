import { query } from './db';

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
