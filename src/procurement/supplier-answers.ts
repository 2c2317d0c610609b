import type { Sql } from '../platform/orm';
import { passDeclinedDemand } from './alternates';
import type { PurchaseOrder } from './purchase-orders';
import { recordFirstConfirmation } from './scorecard.repository';

/**
 * What a supplier's confirmation does beyond its PO's lines and promise, in the confirmation's transaction: the
 * time of the first one is kept (the scorecard's time to confirm), and the demand the supplier declined (units
 * per SKU its lines no longer cover) goes to the SKU's next supplier (passDeclinedDemand).
 */
export async function recordSupplierAnswer(
  sql: Sql,
  order: Pick<PurchaseOrder, 'purchaseOrderId' | 'supplierId'>,
  declined: Map<string, number>,
  answerTime: Date,
): Promise<void> {
  await recordFirstConfirmation(sql, order.purchaseOrderId, answerTime);
  await passDeclinedDemand(sql, order, declined, answerTime);
}
