import type { Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';

/**
 * Tells Orders (through the outbox, contract item 5) that the supply forecast of these SKUs changed, so
 * it recomputes their waiting lines' ETAs; eventId makes the message unique to this change.
 */
export async function refreshEtas(sql: Sql, skus: string[], eventId: string): Promise<void> {
  const unique = [...new Set(skus)].sort();
  await enqueue(
    sql,
    'procurement',
    unique.map((sku) => ({ topic: 'orders.refresh-etas', key: `refresh-etas:${sku}:${eventId}`, payload: { skus: [sku] } })),
  );
}
