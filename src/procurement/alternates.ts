import type { Sql } from '../platform/orm';
import { insertDeclines } from './alternates.repository';
import { returnDemandToBuffer } from './demand.repository';
import { pickDemandToReturn, removePurchaseOrderDemand } from './purchase-order.repository';
import type { PurchaseOrder } from './purchase-orders';

/**
 * Takes the demand a supplier declined off its PO (up to `units` per SKU, newest demand first, as a cancellation
 * would) and makes it demand of the SKU's next supplier: each declining supplier is remembered per demand, and
 * the demand goes to the buffer of the first supplier of the SKU that has not declined it, by alternate rank
 * (1, 2, ..., then the unranked by the serving rule). When every supplier declined it, it waits unassigned,
 * where ListUnassignedDemand shows it as declined. Every unit stays buffered or on a PO (conservation).
 */
export async function passDeclinedDemand(
  sql: Sql,
  order: Pick<PurchaseOrder, 'purchaseOrderId' | 'supplierId'>,
  units: Map<string, number>,
  declineTime: Date,
): Promise<void> {
  if (units.size === 0) return;
  const declined = await pickDemandToReturn(sql, order.purchaseOrderId, units);
  if (declined.length === 0) return;
  await removePurchaseOrderDemand(sql, order.purchaseOrderId, declined);
  await insertDeclines(sql, { supplierId: order.supplierId, purchaseOrderId: order.purchaseOrderId, declineTime }, declined);
  await returnDemandToBuffer(sql, declined);
}
