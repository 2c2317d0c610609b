import { OrderEventType } from '../gen/restock/orders/v1/order';
import { transaction, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { etaSlippedEmail } from './customer-emails';
import { etaSlipped, matchEtas, supplyForecast, type Eta } from './etas';
import { insertOrderEvents } from './order-event.repository';
import { loadOrders } from './order-queries';
import { markEtasNotified, updateLineEtas, waitingLinesOfSku, type WaitingLine } from './order.repository';
import { lockSkusInTransaction } from './sku-lock.repository';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';

/**
 * Recomputes the ETAs of the SKUs' waiting lines from Procurement's forecast and emails each customer
 * whose expected date slipped by a day or more (once per line and new date); each line whose ETA changed gets
 * an ETA_CHANGED event; returns how many lines changed.
 */
export async function refreshEtas(deps: ServiceDeps, skus: string[]): Promise<number> {
  let changed = 0;
  for (const sku of [...new Set(skus)].sort()) {
    const arrivals = await supplyForecast(deps.peers, sku);
    changed += await transaction(deps.orm, async (sql) => {
      await lockSkusInTransaction(sql, [sku]);
      const queue = await waitingLinesOfSku(sql, sku);
      const etas = matchEtas(queue, arrivals);
      const moved = queue.filter((line) => !sameEta(line, etas.get(line.lineId)!));
      await updateLineEtas(sql, new Map(moved.map((l) => [l.lineId, etas.get(l.lineId)!])), { told: false });
      const now = deps.clock.now();
      await insertOrderEvents(sql, moved.map((l) => ({ orderId: l.orderId, type: OrderEventType.ORDER_EVENT_TYPE_ETA_CHANGED, eventTime: now, lineId: l.lineId, eta: etas.get(l.lineId)! })));
      const slipped = moved.filter((l) => etaSlipped(l.etaNotified, etas.get(l.lineId)!));
      await tellCustomers(sql, slipped, etas);
      // A customer first told "unknown" gets the first known date as the baseline for later slips.
      await markEtasNotified(sql, moved.map((l) => l.lineId), { onlyUntold: true });
      return moved.length;
    });
  }
  return changed;
}

async function tellCustomers(sql: Sql, slipped: WaitingLine[], etas: Map<string, Eta>): Promise<void> {
  if (slipped.length === 0) return;
  const orders = new Map((await loadOrders(sql, [...new Set(slipped.map((l) => l.orderId))])).map((o) => [o.orderId, o]));
  await enqueue(
    sql,
    'orders',
    slipped.map((line) => {
      const eta = etas.get(line.lineId)!;
      return message(EMAIL, `eta-slipped:${line.lineId}:${eta.expectedTime!.toISOString().slice(0, 10)}`, etaSlippedEmail(orders.get(line.orderId)!, line, line.etaNotified!, eta));
    }),
  );
  await markEtasNotified(sql, slipped.map((l) => l.lineId), { onlyUntold: false });
}

function sameEta(line: WaitingLine, eta: Eta): boolean {
  return line.etaExpected?.getTime() === eta.expectedTime?.getTime() && (line.etaSource ?? 0) === eta.source && (line.etaPurchaseOrderId ?? '') === eta.purchaseOrderId;
}
