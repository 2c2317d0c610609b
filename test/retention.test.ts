import { applyRetention } from '../src/platform/retention.task';
import { query } from './support/db';
import { startTestApp, type TestApp } from './support/harness';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, clock: { now: () => NOW } });
});
afterAll(() => t.stop());

async function message(key: string, status: string, deliverTime: Date | null, createTime: Date) {
  await query(
    t.databaseUrl,
    "INSERT INTO orders.outbox (topic, dedupe_key, payload, status, deliver_time, create_time) VALUES ('test.retention', $1, '{}', $2, $3, $4)",
    [key, status, deliverTime, createTime],
  );
}

const left = async () => ({
  messages: (await query<{ dedupeKey: string }>(t.databaseUrl, "SELECT dedupe_key FROM orders.outbox WHERE topic = 'test.retention' ORDER BY dedupe_key")).map((r) => r.dedupeKey),
  keys: (await query<{ key: string }>(t.databaseUrl, "SELECT key FROM orders.idempotency_key WHERE operation = 'Retention' ORDER BY key")).map((r) => r.key),
});

it('deletes delivered messages and idempotency keys older than RETENTION_DAYS, in bounded batches, and keeps the rest', async () => {
  for (let i = 0; i < 25; i++) await message(`old-delivered-${String(i).padStart(2, '0')}`, 'delivered', daysAgo(31), daysAgo(32));
  await message('recent-delivered', 'delivered', daysAgo(29), daysAgo(29));
  await message('old-pending', 'pending', null, daysAgo(40)); // not delivered yet: never deleted
  await message('old-dead', 'dead', null, daysAgo(40)); // kept for the dead-letter tools
  for (const [key, age] of [['old-key-1', 31], ['old-key-2', 45], ['recent-key', 29]] as const) {
    await query(t.databaseUrl, "INSERT INTO orders.idempotency_key (operation, key, request_hash, create_time) VALUES ('Retention', $1, 'h', $2)", [key, daysAgo(age)]);
  }

  const deleted = await applyRetention({ orm: t.app.orms.orders!, schema: 'orders', days: 30, clock: { now: () => NOW }, log: t.app.log, batchSize: 10 });

  expect(deleted).toEqual({ messages: 25, keys: 2 }); // 25 messages in batches of 10: three statements
  expect(await left()).toEqual({ messages: ['old-dead', 'old-pending', 'recent-delivered'], keys: ['recent-key'] });
  expect(await applyRetention({ orm: t.app.orms.orders!, schema: 'orders', days: 30, clock: { now: () => NOW }, log: t.app.log })).toEqual({ messages: 0, keys: 0 });
});

it('runs as a scheduled task of every service, through the outbox like any task', async () => {
  const [{ n }] = await query<{ n: number }>(t.databaseUrl, "SELECT count(*) AS n FROM orders.outbox WHERE topic = 'scheduler.run-task'");
  expect(n).toBe(0);
  for (const schema of ['inventory', 'orders', 'procurement']) {
    // a claimed tick of the retention task is delivered by that service's outbox
    await query(t.databaseUrl, `INSERT INTO ${schema}.outbox (topic, dedupe_key, payload) VALUES ('scheduler.run-task', $1, $2)`, [
      `task:${schema}.retention:test`,
      { task: `${schema}.retention`, tick: NOW.toISOString() },
    ]);
    await t.app.dispatchers[schema as 'orders']!.drain();
    const [run] = await query<{ status: string }>(t.databaseUrl, `SELECT status FROM ${schema}.outbox WHERE dedupe_key = $1`, [`task:${schema}.retention:test`]);
    expect(run.status).toBe('delivered'); // a service without the task would fail it: "no task … in this service"
  }
});
