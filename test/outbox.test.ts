import { createLogger } from '../src/platform/logger';
import { initOrm, sqlOf, transaction, type Orm } from '../src/platform/orm';
import { enqueue, OutboxDispatcher } from '../src/platform/outbox';

type Deliver = (payload: any, key: string) => Promise<void>;
import { inventoryModule } from '../src/inventory/inventory.module';
import { createTestDatabase } from './support/databases';
import { waitFor } from './support/harness';

const log = createLogger('silent');
let url: string;
const orms: Orm[] = [];

beforeAll(async () => {
  url = await createTestDatabase();
});
afterAll(async () => {
  for (const orm of orms) await orm.close();
});

async function orm(): Promise<Orm> {
  const opened = await initOrm(url, inventoryModule.schema, 5, log);
  orms.push(opened);
  return opened;
}

function dispatcher(on: Orm, handlers: Record<string, Deliver>, options: { maxAttempts?: number; backoffMs?: number } = {}) {
  return new OutboxDispatcher({ orm: on, schema: 'inventory', deliveries: Object.entries(handlers).map(([topic, deliver]) => ({ topic, deliver })), log, pollMs: 20, maxAttempts: options.maxAttempts ?? 10, backoffMs: options.backoffMs ?? 200 });
}

async function row(on: Orm, key: string) {
  const [found] = await sqlOf(on.em)<{ status: string; attempts: number; lastError: string | null }>(
    'SELECT status, attempts, last_error FROM inventory.outbox WHERE dedupe_key = ?',
    [key],
  );
  return found;
}

describe('transactional outbox', () => {
  it('keeps a message through a failing receiver and delivers it once when the receiver recovers', async () => {
    const db = await orm();
    await transaction(db, (sql) => enqueue(sql, 'inventory', [{ topic: 'test.flaky', key: 'flaky-1', payload: { n: 1 } }]));
    let receiverUp = false;
    const delivered: unknown[] = [];
    const outbox = dispatcher(db, {
      'test.flaky': async (payload) => {
        if (!receiverUp) throw new Error('receiver unavailable');
        delivered.push(payload);
      },
    });

    expect(await outbox.dispatchBatch()).toBe(1);
    expect(await row(db, 'flaky-1')).toEqual({ status: 'pending', attempts: 1, lastError: 'receiver unavailable' });
    expect(await outbox.dispatchBatch()).toBe(0); // backing off: not due yet

    receiverUp = true;
    await waitFor(async () => (await outbox.dispatchBatch()) > 0, { what: 'the retry to come due' });
    expect(delivered).toEqual([{ n: 1 }]);
    expect(await row(db, 'flaky-1')).toMatchObject({ status: 'delivered', attempts: 2, lastError: null });
    expect(await outbox.drain()).toBe(0);
    expect(delivered).toHaveLength(1);
  });

  it('delivers a batch in order, a failing message retried alone', async () => {
    const db = await orm();
    const keys = ['batch-1', 'batch-2', 'batch-3'];
    await transaction(db, (sql) => enqueue(sql, 'inventory', keys.map((key) => ({ topic: 'test.batch', key, payload: { key } }))));
    const delivered: string[] = [];
    const outbox = dispatcher(db, {
      'test.batch': async (payload: { key: string }) => {
        if (payload.key === 'batch-2') throw new Error('refused');
        delivered.push(payload.key);
      },
    });
    expect(await outbox.dispatchBatch()).toBe(3);
    expect(delivered).toEqual(['batch-1', 'batch-3']);
    expect((await Promise.all(keys.map((key) => row(db, key)))).map((r) => [r.status, r.attempts])).toEqual([
      ['delivered', 1],
      ['pending', 1],
      ['delivered', 1],
    ]);
    expect(await outbox.dispatchBatch()).toBe(0); // the failed one backs off; the delivered ones are done
  });

  it('drops a second message with the same dedupe key', async () => {
    const db = await orm();
    await transaction(db, (sql) => enqueue(sql, 'inventory', [{ topic: 'test.once', key: 'same-key', payload: { v: 1 } }]));
    await transaction(db, (sql) => enqueue(sql, 'inventory', [{ topic: 'test.once', key: 'same-key', payload: { v: 2 } }]));
    const delivered: unknown[] = [];
    await dispatcher(db, { 'test.once': async (payload) => void delivered.push(payload) }).drain();
    expect(delivered).toEqual([{ v: 1 }]);
  });

  it('writes nothing when the transaction that enqueued rolls back', async () => {
    const db = await orm();
    await expect(
      transaction(db, async (sql) => {
        await enqueue(sql, 'inventory', [{ topic: 'test.rollback', key: 'rolled-back', payload: {} }]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await row(db, 'rolled-back')).toBeUndefined();
  });

  it('marks a message dead after the last attempt, keeping its error', async () => {
    const db = await orm();
    await transaction(db, (sql) => enqueue(sql, 'inventory', [{ topic: 'test.broken', key: 'broken-1', payload: {} }]));
    const outbox = dispatcher(db, { 'test.broken': async () => Promise.reject(new Error('always fails')) }, { maxAttempts: 3, backoffMs: 1 });
    await waitFor(async () => (await outbox.dispatchBatch(), (await row(db, 'broken-1')).status === 'dead'), { what: 'the message to die' });
    expect(await row(db, 'broken-1')).toEqual({ status: 'dead', attempts: 3, lastError: 'always fails' });
  });

  it('two dispatchers running at once (as two replicas) deliver each message exactly once', async () => {
    const [first, second] = [await orm(), await orm()];
    const keys = Array.from({ length: 300 }, (_, i) => `race-${i}`);
    await transaction(first, (sql) => enqueue(sql, 'inventory', keys.map((key) => ({ topic: 'test.race', key, payload: { key } }))));
    const deliveries = new Map<string, string[]>();
    const receiver = (replica: string): Deliver => async (payload: { key: string }) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      deliveries.set(payload.key, [...(deliveries.get(payload.key) ?? []), replica]);
    };
    const replicas = [dispatcher(first, { 'test.race': receiver('first') }), dispatcher(second, { 'test.race': receiver('second') })];
    replicas.forEach((replica) => replica.start());
    await waitFor(() => deliveries.size === keys.length, { what: 'all deliveries' });
    await Promise.all(replicas.map((replica) => replica.stop()));

    for (const key of keys) expect(deliveries.get(key)).toHaveLength(1);
    const byReplica = [...deliveries.values()].flat();
    expect(byReplica.filter((r) => r === 'first').length).toBeGreaterThan(0);
    expect(byReplica.filter((r) => r === 'second').length).toBeGreaterThan(0);
    const [{ delivered }] = await sqlOf(first.em)<{ delivered: number }>(
      "SELECT count(*)::int AS delivered FROM inventory.outbox WHERE topic = 'test.race' AND status = 'delivered' AND attempts = 1",
    );
    expect(delivered).toBe(keys.length);
  });
});
