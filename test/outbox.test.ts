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
  return new OutboxDispatcher({ orm: on, schema: 'inventory', deliveries: Object.entries(handlers).map(([topic, deliver]) => ({ topic, deliver })), log, pollMs: 20, maxAttempts: options.maxAttempts ?? 10, backoffMs: options.backoffMs ?? 1000 }); // retries 0.75-1.25 s later: not due at the next call, even on a loaded machine
}

async function row(on: Orm, key: string) {
  const [found] = await sqlOf(on.em)<{ status: string; attempts: number; lastError: string | null }>(
    'SELECT status, attempts, last_error FROM inventory.outbox WHERE dedupe_key = ?',
    [key],
  );
  return found;
}

describe('transactional outbox', () => {
  // each test starts from an empty outbox: a dispatcher claims whatever is due
  beforeEach(async () => {
    if (orms.length > 0) await sqlOf(orms[0].em)('DELETE FROM inventory.outbox');
  });

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

  it('delivers a batch, a failing message retried alone', async () => {
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
    expect(delivered.sort()).toEqual(['batch-1', 'batch-3']);
    expect((await Promise.all(keys.map((key) => row(db, key)))).map((r) => [r.status, r.attempts])).toEqual([
      ['delivered', 1],
      ['pending', 1],
      ['delivered', 1],
    ]);
    expect(await outbox.dispatchBatch()).toBe(0); // the failed one backs off; the delivered ones are done
  });

  it('holds no row lock while delivering: a receiver that hangs for 30 s does not stall the other messages', async () => {
    const db = await orm();
    const others = Array.from({ length: 40 }, (_, i) => `flowing-${i}`);
    await transaction(db, (sql) =>
      enqueue(sql, 'inventory', [
        { topic: 'test.hanging', key: 'hanging-1', payload: {} },
        ...others.map((key) => ({ topic: 'test.flowing', key, payload: { key } })),
      ]),
    );
    let endHang = () => {};
    const hang = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 30_000);
      endHang = () => (clearTimeout(timer), resolve());
    });
    let hanging = false;
    const outbox = new OutboxDispatcher({
      orm: db,
      schema: 'inventory',
      log,
      pollMs: 20,
      maxAttempts: 10,
      backoffMs: 200,
      batchSize: 5, // the hanging message shares its batch with four others
      deliveries: [
        { topic: 'test.hanging', deliver: async () => ((hanging = true), hang) },
        { topic: 'test.flowing', deliver: async () => {} },
      ],
    });
    outbox.start();
    try {
      await waitFor(async () => {
        const rows = await sqlOf(db.em)<{ n: number }>("SELECT count(*) AS n FROM inventory.outbox WHERE topic = 'test.flowing' AND status = 'delivered'");
        return rows[0].n === others.length;
      }, { what: 'every other message delivered while one receiver hangs' });
      expect(hanging).toBe(true);
      // the hanging message is leased, not row-locked: another transaction can lock its row meanwhile
      const [held] = await sqlOf(db.em)<{ status: string; lockedUntil: Date | null }>(
        "SELECT status, locked_until FROM inventory.outbox WHERE dedupe_key = 'hanging-1' FOR UPDATE NOWAIT",
      );
      expect(held.status).toBe('pending');
      expect(held.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      endHang();
      await outbox.stop();
    }
    expect(await row(db, 'hanging-1')).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('claims again a message whose lease ran out (its dispatcher died mid-delivery)', async () => {
    const db = await orm();
    await transaction(db, (sql) => enqueue(sql, 'inventory', [{ topic: 'test.lease', key: 'lease-1', payload: {} }]));
    const delivered: string[] = [];
    const dying = new OutboxDispatcher({
      orm: db, schema: 'inventory', log, pollMs: 20, maxAttempts: 10, backoffMs: 200, leaseMs: 2000, deliveryTimeoutMs: 4000,
      deliveries: [{ topic: 'test.lease', deliver: () => (delivered.push('dying'), new Promise<void>(() => {})) }],
    });
    const dyingRun = dying.dispatchBatch(); // claims the message and hangs, as if its process had died
    await waitFor(() => delivered.length === 1, { what: 'the first claim' });
    const survivor = dispatcher(db, { 'test.lease': async () => void delivered.push('survivor') });
    await survivor.dispatchBatch();
    expect(delivered).toEqual(['dying']); // still leased to the dying dispatcher
    await waitFor(async () => (await survivor.dispatchBatch(), (await row(db, 'lease-1')).status === 'delivered'), { what: 'the lease to run out' });
    expect(delivered).toEqual(['dying', 'survivor']);
    expect(await row(db, 'lease-1')).toMatchObject({ status: 'delivered', attempts: 2 });
    await dyingRun; // its late "timed out" outcome is for attempt 1: it must not undo the delivery
    expect(await row(db, 'lease-1')).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('works through a backlog as deliveries finish, not at the poll interval', async () => {
    const db = await orm();
    const keys = Array.from({ length: 200 }, (_, i) => `backlog-${i}`);
    await transaction(db, (sql) => enqueue(sql, 'inventory', keys.map((key) => ({ topic: 'test.backlog', key, payload: {} }))));
    let delivered = 0;
    const outbox = new OutboxDispatcher({
      orm: db, schema: 'inventory', log, pollMs: 600_000, maxAttempts: 10, backoffMs: 200, maxInFlightPerTopic: 5, batchSize: 5,
      deliveries: [{ topic: 'test.backlog', deliver: async () => void delivered++ }],
    });
    outbox.start();
    try {
      // 40 claims of 5, each filling the topic's slots until its deliveries finish (during the next claim):
      // a loop that missed that and waited for the 10-minute poll would never get there
      await waitFor(() => delivered === keys.length, { what: 'the backlog to drain' });
    } finally {
      await outbox.stop();
    }
  });

  it('counts a delivery that outlives its timeout as a failed attempt', async () => {
    const db = await orm();
    await transaction(db, (sql) => enqueue(sql, 'inventory', [{ topic: 'test.slow', key: 'slow-1', payload: {} }]));
    const outbox = new OutboxDispatcher({
      orm: db, schema: 'inventory', log, pollMs: 20, maxAttempts: 10, backoffMs: 60_000, deliveryTimeoutMs: 100,
      deliveries: [{ topic: 'test.slow', deliver: () => new Promise<void>(() => {}) }],
    });
    expect(await outbox.dispatchBatch()).toBe(1);
    expect(await row(db, 'slow-1')).toEqual({ status: 'pending', attempts: 1, lastError: 'delivery timed out after 100 ms' });
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
