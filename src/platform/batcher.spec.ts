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
