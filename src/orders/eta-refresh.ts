import type { Order } from '../gen/restock/orders/v1/order';
import { transaction, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { etaImprovedEmail, etaSlippedEmail } from './customer-emails';
import { etaImproved, etaSlipped, matchEtas, supplyForecast, type Eta } from './etas';
import { loadOrders } from './order-queries';
import { claimEtaNews, markEtasNotified, untoldEtaImprovements, updateLineEtas, waitingLinesOfSku, type EtaImprovement, type WaitingLine } from './order.repository';
import { lockSkusInTransaction } from './sku-lock.repository';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';

/**
 * Recomputes the ETAs of the SKUs' waiting lines from Procurement's forecast and emails customers: each
 * line whose expected date slipped by a day or more (once per line and new date), and, at most once per
 * order and day, the lines whose date became known or moved a day or more earlier; returns how many lines changed.
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
      const slipped = moved.filter((l) => etaSlipped(l.etaNotified, etas.get(l.lineId)!));
      // Every waiting line, not just the moved ones: good news held back by the daily limit goes out later.
      const improved = queue.filter((l) => etaImproved(l.etaNotified, etas.get(l.lineId)!));
      const orders = await ordersOf(sql, [...slipped, ...improved]);
      await tellSlips(sql, slipped, etas, orders);
      await tellGoodNews(sql, deps.clock.now(), improved, orders);
      return moved.length;
    });
  }
  return changed;
}

async function ordersOf(sql: Sql, lines: WaitingLine[]): Promise<Map<string, Order>> {
  if (lines.length === 0) return new Map();
  return new Map((await loadOrders(sql, [...new Set(lines.map((l) => l.orderId))])).map((o) => [o.orderId, o]));
}

async function tellSlips(sql: Sql, slipped: WaitingLine[], etas: Map<string, Eta>, orders: Map<string, Order>): Promise<void> {
  if (slipped.length === 0) return;
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

/**
 * One email per order that had none in the last day: every line of it whose stored ETA is untold good news
 * (this SKU's just refreshed, and any held back before), which then count as told.
 */
async function tellGoodNews(sql: Sql, now: Date, improved: WaitingLine[], orders: Map<string, Order>): Promise<void> {
  if (improved.length === 0) return;
  const claimed = await claimEtaNews(sql, [...new Set(improved.map((l) => l.orderId))], now);
  if (claimed.length === 0) return;
  const lines = await untoldEtaImprovements(sql, claimed);
  const day = now.toISOString().slice(0, 10);
  await enqueue(
    sql,
    'orders',
    claimed.map((orderId) => {
      const news = lines.filter((l) => l.orderId === orderId).map((l) => ({ sku: l.sku, waiting: l.waiting, told: l.etaNotified, eta: etaOfRow(l) }));
      return message(EMAIL, `eta-improved:${orderId}:${day}`, etaImprovedEmail(orders.get(orderId)!, news));
    }),
  );
  await markEtasNotified(sql, lines.map((l) => l.lineId), { onlyUntold: false });
}

function etaOfRow(line: EtaImprovement): Eta {
  return { expectedTime: line.etaExpected, latestTime: line.etaLatest ?? line.etaExpected, source: line.etaSource, purchaseOrderId: line.etaPurchaseOrderId ?? '' };
}

function sameEta(line: WaitingLine, eta: Eta): boolean {
  return line.etaExpected?.getTime() === eta.expectedTime?.getTime() && (line.etaSource ?? 0) === eta.source && (line.etaPurchaseOrderId ?? '') === eta.purchaseOrderId;
}
