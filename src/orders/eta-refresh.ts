import { OrderEventType } from '../gen/restock/orders/v1/order';
import { transaction, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { etaSlippedEmail } from './customer-emails';
import { etaImproved, etaSlipped, matchEtas, supplyForecast, type Eta } from './etas';
import { insertOrderEvents } from './order-event.repository';
import { loadOrders } from './order-queries';
import { markEtasNotified, updateLineEtas, waitingLinesOfSku, type WaitingLine } from './order.repository';
import { ETA_NEWS } from './topics';
import { lockSkusInTransaction } from './sku-lock.repository';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';

/**
 * Recomputes the ETAs of the SKUs' waiting lines from Procurement's forecast and emails customers: each
 * line whose expected date slipped by a day or more (once per line and new date), and, at most once per
 * order and day, the lines whose date became known or moved a day or more earlier; each line whose ETA
 * changed gets an ETA_CHANGED event; returns how many lines changed.
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
      // Every waiting line, not just the moved ones: good news held back by the daily limit goes out later.
      const improved = queue.filter((l) => etaImproved(l.etaNotified, etas.get(l.lineId)!));
      await tellSlips(sql, slipped, etas);
      await tellGoodNews(sql, deps.clock.now(), improved);
      return moved.length;
    });
  }
  return changed;
}

async function tellSlips(sql: Sql, slipped: WaitingLine[], etas: Map<string, Eta>): Promise<void> {
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

/** Each order with good news gets its email through the outbox, once per day (the message key), under its own SKUs' locks (eta-news.ts). */
async function tellGoodNews(sql: Sql, now: Date, improved: WaitingLine[]): Promise<void> {
  if (improved.length === 0) return;
  const day = now.toISOString().slice(0, 10);
  await enqueue(sql, 'orders', [...new Set(improved.map((l) => l.orderId))].sort().map((orderId) => message(ETA_NEWS, `eta-news:${orderId}:${day}`, { orderId, day })));
}

function sameEta(line: WaitingLine, eta: Eta): boolean {
  return line.etaExpected?.getTime() === eta.expectedTime?.getTime() && (line.etaSource ?? 0) === eta.source && (line.etaPurchaseOrderId ?? '') === eta.purchaseOrderId;
}
