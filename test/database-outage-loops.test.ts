import type { DatabaseHealth } from '../src/platform/database-health';
import { isDatabaseUnavailable } from '../src/platform/errors';
import { createLogger } from '../src/platform/logger';
import { initOrm, type Orm } from '../src/platform/orm';
import { OutboxDispatcher } from '../src/platform/outbox';
import { startScheduler } from '../src/platform/scheduler';
import { freePort } from './support/global-setup';

// The background loops against a database that refuses every connection (nothing listens on its port): they
// back off instead of spinning, and leave the logging of the outage to the database's health.

let orm: Orm;
beforeAll(async () => {
  orm = await initOrm(`postgres://restock@127.0.0.1:${await freePort()}/restock`, { schema: 'orders', entities: [], migrations: [] }, 2, createLogger('silent'));
});
afterAll(() => orm.close());

/** A DatabaseHealth that counts the errors reported to it. */
function countingHealth(reachable = true) {
  const reported: unknown[] = [];
  const health = {
    reachable,
    report(error: unknown) {
      reported.push(error);
      return isDatabaseUnavailable(error);
    },
  } as unknown as DatabaseHealth;
  return { health, reported };
}

/** A logger that keeps what it logs at warn and above. */
function keptLog() {
  const lines: string[] = [];
  const log = createLogger('warn');
  for (const level of ['warn', 'error', 'fatal'] as const) (log as unknown as Record<string, (...args: unknown[]) => void>)[level] = (...args: unknown[]) => void lines.push(JSON.stringify(args));
  return { log, lines };
}

it('the outbox backs off while it cannot lease: a few attempts in 3 s, not one per poll, and no log line per attempt', async () => {
  const { health, reported } = countingHealth();
  const { log, lines } = keptLog();
  const pollMs = 50;
  const dispatcher = new OutboxDispatcher({ orm, schema: 'orders', deliveries: [], log, pollMs, maxAttempts: 3, backoffMs: 100, database: health });
  dispatcher.start();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await dispatcher.stop();
  expect(reported.length).toBeGreaterThanOrEqual(3); // it kept trying…
  expect(reported.every(isDatabaseUnavailable)).toBe(true);
  // …50, 100, 200, 400, 800, 1600 ms (±25 %) apart: at most 7 in 3 s, where polling would make 60
  expect(reported.length).toBeLessThanOrEqual(7);
  expect(lines).toEqual([]);
});

it('the scheduler skips ticks after a failed claim, longer each time, and claims none while the database is known down', async () => {
  const { health, reported } = countingHealth();
  const { log, lines } = keptLog();
  const task = { id: 'every-second', schedule: '* * * * * *', run: async () => {} };
  let scheduler = startScheduler([{ task, orm, schema: 'orders' }], log, health);
  await new Promise((resolve) => setTimeout(resolve, 6500));
  await scheduler.stop();
  // ticks every second; after each failure 1, 2, 4 s (±25 %) are skipped: at most 4 attempts in 6.5 s
  expect(reported.length).toBeGreaterThanOrEqual(2);
  expect(reported.length).toBeLessThanOrEqual(4);
  expect(lines).toEqual([]);

  const down = countingHealth(false);
  scheduler = startScheduler([{ task, orm, schema: 'orders' }], log, down.health);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await scheduler.stop();
  expect(down.reported).toEqual([]);
});
