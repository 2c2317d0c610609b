import type { Clock } from '../platform/clock';
import { sqlOf, type Orm } from '../platform/orm';
import { skuLeadTimes } from './lead-time-store';
import { supplyForecast, type Arrival } from './supply-forecast';

/** GetSupplyForecast: a SKU's open PO lines and buffered demand as expected arrivals, in time order. */
export async function getSupplyForecast(orm: Orm, clock: Clock, sku: string): Promise<Arrival[]> {
  const sql = sqlOf(orm.em);
  const lines = await sql<{ purchaseOrderId: string; supplierId: string; remaining: number; createTime: string; sendTime: string | null; promisedTime: string | null }>(
    `SELECT po.purchase_order_id AS "purchaseOrderId", po.supplier_id AS "supplierId",
       coalesce(l.confirmed_quantity, l.quantity) - l.received_quantity AS remaining,
       po.create_time AS "createTime", po.send_time AS "sendTime", po.promised_time AS "promisedTime"
     FROM procurement.purchase_order_line l JOIN procurement.purchase_order po ON po.purchase_order_id = l.purchase_order_id
     WHERE l.sku = ? AND po.status IN ('ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED')
       AND coalesce(l.confirmed_quantity, l.quantity) > l.received_quantity`,
    [sku],
  );
  const buffers = await sql<{ supplierId: string; quantity: number; oldest: string; packSize: number; minOrderQuantity: number; paused: boolean; next: string; maxWaitDays: number }>(
    `SELECT b.supplier_id AS "supplierId", sum(b.quantity)::int AS quantity, min(b.demand_time) AS oldest,
       sp.pack_size AS "packSize", sp.min_order_quantity AS "minOrderQuantity", s.paused, s.next_release_time AS next, s.max_wait_days AS "maxWaitDays"
     FROM procurement.buffered_demand b
     JOIN procurement.supplier_product sp ON sp.supplier_id = b.supplier_id AND sp.sku = b.sku
     JOIN procurement.supplier s ON s.supplier_id = b.supplier_id
     WHERE b.sku = ? GROUP BY b.supplier_id, sp.pack_size, sp.min_order_quantity, s.paused, s.next_release_time, s.max_wait_days`,
    [sku],
  );
  const leadTimes = await skuLeadTimes(sql, [...lines.map((l) => l.supplierId), ...buffers.map((b) => b.supplierId)], sku);
  return supplyForecast(
    lines.map((l) => ({
      purchaseOrderId: l.purchaseOrderId,
      remaining: l.remaining,
      createTime: new Date(l.createTime),
      sendTime: l.sendTime ? new Date(l.sendTime) : null,
      promisedTime: l.promisedTime ? new Date(l.promisedTime) : null,
      leadTime: leadTimes.get(l.supplierId)!,
    })),
    buffers.map((b) => ({
      quantity: b.quantity,
      terms: { packSize: b.packSize, minOrderQuantity: b.minOrderQuantity },
      paused: b.paused,
      nextScheduledRelease: new Date(b.next),
      oldestDemandTime: new Date(b.oldest),
      maxWaitDays: b.maxWaitDays,
      leadTime: leadTimes.get(b.supplierId)!,
    })),
    clock.now(),
  );
}
