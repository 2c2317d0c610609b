import type { Sql } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { message } from '../platform/topics';
import { REFRESH_ETAS } from './topics';

/**
 * Tells Orders (through the outbox) that the supply forecast of these SKUs changed, so
 * it recomputes their waiting lines' ETAs; eventId makes the message unique to this change.
 */
export async function refreshEtas(sql: Sql, skus: string[], eventId: string): Promise<void> {
  const unique = [...new Set(skus)].sort();
  await enqueue(
    sql,
    'procurement',
    unique.map((sku) => message(REFRESH_ETAS, `refresh-etas:${sku}:${eventId}`, { skus: [sku] })),
  );
}
