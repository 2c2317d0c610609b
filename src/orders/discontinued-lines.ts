import { once } from '../platform/idempotency';
import { transaction } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { cancelWaitingUnitsOfSku } from './cancellation';
import { ordersWaitingForSku } from './order.repository';
import { lockSkusInTransaction } from './sku-lock.repository';

/** CancelWaitingLines as Inventory sends it when a product is discontinued with CANCEL. */
export interface CancelWaitingLinesRequest {
  requestId: string;
  sku: string;
  reason: string;
  cancelledBy: string;
}

/**
 * Cancels the waiting units of every line of a discontinued SKU, order by order, in one transaction: each
 * customer gets the cancellation email with the reason and the units leave the supplier buffer (CancelDemand);
 * allocated units stay and ship. The SKUs of the orders concerned are locked together, in order, first.
 * Once per request id; returns the units cancelled.
 */
export function cancelWaitingLines(deps: ServiceDeps, request: CancelWaitingLinesRequest): Promise<number> {
  return transaction(deps.orm, (sql) =>
    once(sql, 'orders', 'CancelWaitingLines', request.requestId, request, async () => {
      const waiting = await ordersWaitingForSku(sql, request.sku);
      await lockSkusInTransaction(sql, [request.sku, ...waiting.flatMap((o) => o.skus)]);
      let cancelled = 0;
      for (const { orderId } of await ordersWaitingForSku(sql, request.sku)) {
        cancelled += await cancelWaitingUnitsOfSku(deps, sql, orderId, request.sku, request.reason, request.cancelledBy);
      }
      return cancelled;
    }),
  );
}
