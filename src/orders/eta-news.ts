import { transaction } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { EMAIL } from '../platform/mail';
import type { ServiceDeps } from '../platform/service-module';
import { message } from '../platform/topics';
import { etaImprovedEmail } from './customer-emails';
import type { Eta } from './etas';
import { loadOrder } from './order-queries';
import { markEtasNotified, placedOrderSkus, untoldEtaImprovements, type EtaImprovement } from './order.repository';
import { lockSkusInTransaction } from './sku-lock.repository';

/**
 * Delivers an order's good ETA news of a day (outbox topic orders.eta-news, one message per order and day):
 * under the order's SKU locks, every waiting line whose stored ETA is untold good news goes into one email,
 * and counts as told. A repeat finds nothing untold and sends nothing.
 */
export async function sendEtaNews(deps: ServiceDeps, { orderId, day }: { orderId: string; day: string }): Promise<void> {
  await transaction(deps.orm, async (sql) => {
    const skus = await placedOrderSkus(sql, orderId);
    if (skus.length === 0) return;
    await lockSkusInTransaction(sql, skus);
    const lines = await untoldEtaImprovements(sql, [orderId]);
    if (lines.length === 0) return;
    const news = lines.map((l) => ({ sku: l.sku, waiting: l.waiting, told: l.etaNotified, eta: etaOf(l) }));
    await enqueue(sql, 'orders', [message(EMAIL, `eta-improved:${orderId}:${day}`, etaImprovedEmail(await loadOrder(sql, orderId), news))]);
    await markEtasNotified(sql, lines.map((l) => l.lineId), { onlyUntold: false });
  });
}

function etaOf(line: EtaImprovement): Eta {
  return { expectedTime: line.etaExpected, latestTime: line.etaLatest ?? line.etaExpected, source: line.etaSource, purchaseOrderId: line.etaPurchaseOrderId ?? '' };
}
