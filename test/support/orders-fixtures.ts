import { Priority } from '../../src/gen/restock/common/v1/priority';
import { FulfillmentPolicy } from '../../src/gen/restock/orders/v1/order';
import { systemClock } from '../../src/platform/clock';
import { loadConfig } from '../../src/platform/config';
import type { Peers, ServiceDeps } from '../../src/platform/service-module';
import type { TestApp } from './harness';

/** What Orders' domain functions get in t's process, to call them directly (peers may be replaced). */
export function ordersDeps(t: TestApp, peers: Peers = t.app.peers): ServiceDeps {
  return { orm: t.app.orms.orders!, peers, mailer: t.app.mailer, clock: systemClock, log: t.app.log, config: loadConfig({ DATABASE_URL: t.databaseUrl }) };
}

/** A product with a backorder policy and some stock on hand. */
export async function product(
  t: TestApp,
  sku: string,
  { onHand = 0, acceptBackorders = true, maxPerCustomer = 0, discontinued = false, price = 10, currency = 'EUR' } = {},
): Promise<void> {
  await t.inventory.upsertProduct({
    product: {
      sku,
      name: `Product ${sku}`,
      unitPrice: { currencyCode: currency, units: price, nanos: 0 },
      backorderPolicy: { acceptBackorders, maxBackorderQuantityPerCustomer: maxPerCustomer, discontinued },
    },
  });
  if (onHand > 0) await t.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: onHand, reason: 'seed' });
}

let orderCount = 0;

/** PlaceOrder with sensible defaults. */
export function order(
  t: TestApp,
  lines: [sku: string, quantity: number][],
  options: { customer?: string; priority?: Priority; policy?: FulfillmentPolicy; requestId?: string; email?: string } = {},
) {
  const { customer = 'cust-1', priority = Priority.PRIORITY_STANDARD, policy = FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_AVAILABLE_NOW, requestId = `req-${++orderCount}` } = options;
  const email = options.email ?? `${customer}@example.com`;
  return t.orders.placeOrder({
    requestId,
    customerId: customer,
    customerEmail: email,
    priority,
    fulfillmentPolicy: policy,
    lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
  });
}

/** Delivers Orders' and Inventory's outboxes until neither has anything due (Procurement may still refuse). */
export async function settle(t: TestApp): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const delivered = (await t.app.dispatchers.orders!.drain()) + (await t.app.dispatchers.inventory!.drain());
    if (delivered === 0) return;
  }
  throw new Error('outboxes did not settle');
}

/** Raw SQL on the test database (for invariant checks only; behaviour is observed through gRPC). */
export async function query<T>(t: TestApp, text: string, params: unknown[] = []): Promise<T[]> {
  return ((await t.app.orms.orders!.em.getKnex().raw(text, params as never)) as { rows: T[] }).rows;
}

/**
 * Invariant 1 and the Orders/Inventory agreement: per SKU 0 <= reserved <= on_hand, and what Inventory
 * holds equals the units Orders lines have allocated (after the outboxes settled).
 */
export async function expectStockAgrees(t: TestApp, skus: string[]): Promise<void> {
  for (const sku of skus) {
    const { stock } = await t.inventory.getStock({ sku });
    const [{ allocated }] = await query<{ allocated: number }>(t, 'SELECT coalesce(sum(allocated), 0)::int AS allocated FROM orders.order_line WHERE sku = ?', [sku]);
    expect({ sku, reserved: stock!.reserved, withinOnHand: stock!.reserved <= stock!.onHand }).toEqual({ sku, reserved: allocated, withinOnHand: true });
  }
}

/** Outbox messages of a topic in the orders schema. */
export function outbox(t: TestApp, topic: string) {
  return query<{ dedupe_key: string; payload: any }>(t, 'SELECT dedupe_key, payload FROM orders.outbox WHERE topic = ? ORDER BY id', [topic]);
}
