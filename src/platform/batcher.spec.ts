import { Batcher } from './batcher';

/** A batcher whose batches wait for release(), recording what each batch held. */
function recordingBatcher(limits = { maxItems: 100, maxWeight: 100, weight: (n: number) => n }) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const batcher = new Batcher<number, string>(async (items) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (items.includes(13)) throw new Error('unlucky batch');
    return items.map((n) => (n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: `done ${n}` }));
  }, limits);
  const release = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!();
  };
  return { batcher, batches, release };
}

describe('Batcher', () => {
  it('starts the first call at once and groups the calls made meanwhile, in order, into the next batch', async () => {
    const { batcher, batches, release } = recordingBatcher();
    const results = [1, 2, 3, -4].map((n) => batcher.submit(n).catch((error: Error) => error.message));
    expect(batches).toEqual([[1]]);
    await release();
    await release();
    expect(await Promise.all(results)).toEqual(['done 1', 'done 2', 'done 3', 'bad -4']);
    expect(batches).toEqual([[1], [2, 3, -4]]);
  });

  it('keeps a batch within maxItems and maxWeight, a heavier item going alone', async () => {
    const { batcher, batches, release } = recordingBatcher({ maxItems: 3, maxWeight: 10, weight: (n) => n });
    const results = [1, 2, 2, 2, 2, 50, 1].map((n) => batcher.submit(n));
    for (let i = 0; i < 5; i++) await release();
    await Promise.all(results);
    expect(batches).toEqual([[1], [2, 2, 2], [2], [50], [1]]);
  });

  it('fails every call of a batch that throws, and only those', async () => {
    const { batcher, batches, release } = recordingBatcher();
    const first = batcher.submit(1);
    const unlucky = [batcher.submit(12), batcher.submit(13)].map((p) => p.catch((error: Error) => error.message));
    await release();
    await release();
    const later = batcher.submit(14);
    await release();
    expect([await first, ...(await Promise.all(unlucky)), await later]).toEqual(['done 1', 'unlucky batch', 'unlucky batch', 'done 14']);
    expect(batches).toEqual([[1], [12, 13], [14]]);
  });
});

describe('Batcher queue, requeue and turns', () => {
  it('counts the calls waiting for a batch', async () => {
    const { batcher, release } = recordingBatcher();
    const results = [1, 2, 3].map((n) => batcher.submit(n));
    expect(batcher.waitingCount).toBe(2);
    await release();
    await release();
    await Promise.all(results);
    expect(batcher.waitingCount).toBe(0);
  });

  it('starts items submitted together in one batch', async () => {
    const { batcher, batches, release } = recordingBatcher();
    const results = batcher.submitAll([1, 2, -3]);
    await release();
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(batches).toEqual([[1, 2, -3]]);
  });

  it('runs requeued items again at the head of the queue, in order, with nothing lost', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, string>(
      async (items) => {
        batches.push(items);
        // items above 10 are requeued once, behind the first item of their batch
        return items.map((n, i) => (n > 10 && i > 0 ? { status: 'requeued' } : { status: 'fulfilled', value: `done ${n}` }));
      },
      { maxItems: 100, maxWeight: 100, weight: () => 1 },
    );
    const first = batcher.submit(1);
    const rest = batcher.submitAll([2, 11, 12]);
    expect([await first, ...(await rest).map((r) => (r as PromiseFulfilledResult<string>).value)]).toEqual(['done 1', 'done 2', 'done 11', 'done 12']);
    expect(batches).toEqual([[1], [2, 11, 12], [11, 12], [12]]);
  });

  it('lets the next batch start when a batch gives up its turn, keeping out the items that share its keys', async () => {
    const batches: string[][] = [];
    const gates = new Map<string, () => void>();
    const batcher = new Batcher<string, string>(
      async (items, giveUpTurn) => {
        batches.push(items);
        if (items.includes('a1')) giveUpTurn(); // waits for something else, e.g. the lock of key a
        await new Promise<void>((resolve) => gates.set(items[0], resolve));
        return items.map((item) => ({ status: 'fulfilled', value: item }));
      },
      { maxItems: 100, maxWeight: 100, weight: () => 1, keys: (item) => [item[0]] },
    );
    const done: string[] = [];
    const first = batcher.submit('a1').then(() => done.push('a1'));
    const rest = ['a2', 'b1', 'a3', 'b2'].map((item) => batcher.submitAll([item]).then(() => done.push(item)));
    expect(batches).toEqual([['a1'], ['b1']]); // b1 starts at once: a1 gave up its turn
    gates.get('b1')!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a1'], ['b1'], ['b2']]);
    gates.get('b2')!();
    const all = [first, ...rest];
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['b1', 'b2']); // b goes ahead while a waits; a2 and a3 keep their place behind a1
    expect(batcher.waitingCount).toBe(2);
    gates.get('a1')!();
    while (!gates.has('a2')) await new Promise((resolve) => setImmediate(resolve));
    gates.get('a2')!();
    await Promise.all(all);
    expect(done).toEqual(['b1', 'b2', 'a1', 'a2', 'a3']);
    expect(batches).toEqual([['a1'], ['b1'], ['b2'], ['a2', 'a3']]);
  });
});
