import { OrderEventType } from '../gen/restock/orders/v1/order';
import { Batcher } from '../platform/batcher';
import { groupBy } from '../platform/collections';
import { transaction, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { etaSlippedEmail } from './customer-emails';
import { etaImproved, etaSlipped, matchEtas, supplyForecasts, type Eta } from './etas';
import { insertOrderEvents } from './order-event.repository';
import { loadOrders } from './order-queries';
import { markEtasNotified, updateLineEtas, waitingLinesOfSkus, type WaitingLine } from './order.repository';
import { ETA_NEWS } from './topics';
import { lockSkusInTransaction } from './sku-lock.repository';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';
import { withOrderLink } from './customer-links';
import { askPeer } from './peer-errors';

/** SKUs refreshed together at most: one QuoteSupply call answers for all of them. */
const MAX_SKUS_PER_REFRESH = 1000;

/**
 * RefreshEtas for one Orders instance. Calls arriving while a refresh runs go together in the next one, which
 * reads Procurement's forecast once for all their SKUs (after each call arrived, so none misses its change)
 * and recomputes them in one transaction: a burst of changes to many SKUs costs about what one costs. Each
 * call gets the number of its own SKUs' lines that changed.
 */
export function etaRefresher(deps: ServiceDeps): (skus: string[]) => Promise<number> {
  const batcher = new Batcher<string[], number>(
    async (calls) => {
      const changed = await refreshEtas(deps, calls.flat());
      return calls.map((skus) => ({ status: 'fulfilled', value: [...new Set(skus)].reduce((sum, sku) => sum + (changed.get(sku) ?? 0), 0) }));
    },
    { maxItems: 100, maxWeight: MAX_SKUS_PER_REFRESH, weight: (skus) => new Set(skus).size },
  );
  return (skus) => batcher.submit(skus);
}

/**
 * Recomputes the ETAs of the SKUs' waiting lines from Procurement's forecast and emails customers: each
 * line whose expected date slipped by a day or more (once per line and new date), and, at most once per
 * order and day, the lines whose date became known or moved a day or more earlier; each line whose ETA
 * changed gets an ETA_CHANGED event. Returns how many lines changed, per SKU. When Procurement cannot tell,
 * it fails (UNAVAILABLE) and changes nothing: no ETA is forgotten for an outage.
 */
export async function refreshEtas(deps: ServiceDeps, skus: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(skus)].sort();
  const arrivals = await askPeer('procurement', () => supplyForecasts(deps.peers, unique));
  return transaction(deps.orm, async (sql) => {
    await lockSkusInTransaction(sql, unique);
    const queues = groupBy(await waitingLinesOfSkus(sql, unique), (line) => line.sku);
    const etas = new Map<string, Eta>();
    for (const [sku, queue] of queues) for (const [lineId, eta] of matchEtas(queue, arrivals.get(sku) ?? [])) etas.set(lineId, eta);
    const waiting = [...queues.values()].flat();
    const moved = waiting.filter((line) => !sameEta(line, etas.get(line.lineId)!));
    await updateLineEtas(sql, new Map(moved.map((l) => [l.lineId, etas.get(l.lineId)!])), { told: false });
    const now = deps.clock.now();
    await insertOrderEvents(sql, moved.map((l) => ({ orderId: l.orderId, type: OrderEventType.ORDER_EVENT_TYPE_ETA_CHANGED, eventTime: now, lineId: l.lineId, eta: etas.get(l.lineId)! })));
    const slipped = moved.filter((l) => etaSlipped(l.etaNotified, etas.get(l.lineId)!));
    // Every waiting line, not just the moved ones: good news held back by the daily limit goes out later.
    const improved = waiting.filter((l) => etaImproved(l.etaNotified, etas.get(l.lineId)!));
    await tellSlips(deps, sql, slipped, etas);
    await tellGoodNews(sql, now, improved);
    return new Map([...groupBy(moved, (l) => l.sku)].map(([sku, lines]) => [sku, lines.length]));
  });
}

async function tellSlips(deps: ServiceDeps, sql: Sql, slipped: WaitingLine[], etas: Map<string, Eta>): Promise<void> {
  if (slipped.length === 0) return;
  const orders = new Map((await loadOrders(sql, [...new Set(slipped.map((l) => l.orderId))])).map((o) => [o.orderId, o]));
  await enqueue(
    sql,
    'orders',
    slipped.map((line) => {
      const eta = etas.get(line.lineId)!;
      const order = orders.get(line.orderId)!;
      return message(EMAIL, `eta-slipped:${line.lineId}:${eta.expectedTime!.toISOString().slice(0, 10)}`, withOrderLink(deps, order, etaSlippedEmail(order, line, line.etaNotified!, eta)));
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
