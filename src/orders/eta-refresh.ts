import { transaction, type Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { ServiceDeps } from '../platform/service-module';
import { etaSlippedEmail } from './customer-emails';
import { etaSlipped, matchEtas, supplyForecast, type Eta } from './etas';
import { loadOrders } from './order-queries';
import { LOCK_SKUS_IN_TRANSACTION } from './sku-locks';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';

/** Saves lines' ETAs; with told, also as what the customer was told (the baseline for "slipped"). */
export async function storeEtas(sql: Sql, etas: Map<string, Eta>, { told }: { told: boolean }): Promise<void> {
  if (etas.size === 0) return;
  const list = [...etas];
  await sql(
    `UPDATE orders.order_line l SET eta_expected = e.expected, eta_latest = e.latest, eta_source = e.source, eta_purchase_order_id = e.po,
       eta_notified = CASE WHEN ? THEN e.expected ELSE l.eta_notified END
     FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::text[]) AS e(line_id, expected, latest, source, po)
     WHERE l.line_id = e.line_id`,
    [told, list.map(([id]) => id), list.map(([, e]) => e.expectedTime ?? null), list.map(([, e]) => e.latestTime ?? null), list.map(([, e]) => e.source), list.map(([, e]) => e.purchaseOrderId)],
  );
}

interface WaitingLine {
  lineId: string;
  orderId: string;
  sku: string;
  waiting: number;
  expected: string | null;
  source: number | null;
  purchaseOrderId: string | null;
  notified: string | null;
}

/**
 * Recomputes the ETAs of the SKUs' waiting lines from Procurement's forecast and emails each customer
 * whose expected date slipped by a day or more (once per line and new date); returns how many lines changed.
 */
export async function refreshEtas(deps: ServiceDeps, skus: string[]): Promise<number> {
  let changed = 0;
  for (const sku of [...new Set(skus)].sort()) {
    const arrivals = await supplyForecast(deps.peers, sku);
    changed += await transaction(deps.orm, async (sql) => {
      await sql(LOCK_SKUS_IN_TRANSACTION, [[sku]]);
      const queue = await sql<WaitingLine>(
        `SELECT line_id AS "lineId", order_id AS "orderId", sku, backordered AS waiting, eta_expected AS expected, eta_source AS source,
                eta_purchase_order_id AS "purchaseOrderId", eta_notified AS notified
         FROM orders.order_line WHERE sku = ? AND backordered > 0 ORDER BY priority DESC, queue_time, line_id`,
        [sku],
      );
      const etas = matchEtas(queue, arrivals);
      const moved = queue.filter((line) => !sameEta(line, etas.get(line.lineId)!));
      await storeEtas(sql, new Map(moved.map((l) => [l.lineId, etas.get(l.lineId)!])), { told: false });
      const slipped = moved.filter((l) => etaSlipped(l.notified ? new Date(l.notified) : null, etas.get(l.lineId)!));
      await tellCustomers(sql, slipped, etas);
      // A customer first told "unknown" gets the first known date as the baseline for later slips.
      await sql(`UPDATE orders.order_line SET eta_notified = eta_expected WHERE line_id = ANY(?) AND eta_notified IS NULL`, [moved.map((l) => l.lineId)]);
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
      return message(EMAIL, `eta-slipped:${line.lineId}:${eta.expectedTime!.toISOString().slice(0, 10)}`, etaSlippedEmail(orders.get(line.orderId)!, line, new Date(line.notified!), eta));
    }),
  );
  await sql(`UPDATE orders.order_line SET eta_notified = eta_expected WHERE line_id = ANY(?)`, [slipped.map((l) => l.lineId)]);
}

function sameEta(line: WaitingLine, eta: Eta): boolean {
  const expected = line.expected ? new Date(line.expected).getTime() : undefined;
  return expected === eta.expectedTime?.getTime() && (line.source ?? 0) === eta.source && (line.purchaseOrderId ?? '') === eta.purchaseOrderId;
}
