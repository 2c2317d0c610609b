import { Priority } from '../../src/gen/restock/common/v1/priority';
import { FulfillmentPolicy } from '../../src/gen/restock/orders/v1/order';
import { systemClock } from '../../src/platform/clock';
import { loadConfig } from '../../src/platform/config';
import type { Peers, ServiceDeps } from '../../src/platform/service-module';
import { query } from './db';
import type { TestApp } from './harness';

/** What Orders' domain functions get in t's process, to call them directly (peers may be replaced). */
export function ordersDeps(t: TestApp, peers: Peers = t.app.peers): ServiceDeps {
  return { orm: t.app.orms.orders!, peers, mailer: t.app.mailer, clock: systemClock, log: t.app.log, config: loadConfig({ DATABASE_URL: t.databaseUrl }), links: t.app.links };
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

/** Delivers every service's outbox (Orders', Inventory's, Procurement's) until none has anything due. */
export async function settleAll(t: TestApp): Promise<void> {
  for (let round = 0; round < 50; round++) {
    let delivered = 0;
    for (const dispatcher of [t.app.dispatchers.orders!, t.app.dispatchers.inventory!, t.app.dispatchers.procurement!]) delivered += await dispatcher.drain();
    if (delivered === 0) return;
  }
  throw new Error('outboxes did not settle');
}

/** Outbox messages of a topic in a service's schema, oldest first. */
export function outbox(t: TestApp, topic: string, schema: 'orders' | 'inventory' | 'procurement' = 'orders') {
  return query<{ dedupeKey: string; payload: any; status: string }>(t.databaseUrl, `SELECT dedupe_key, payload, status FROM ${schema}.outbox WHERE topic = $1 ORDER BY id`, [topic]);
}
