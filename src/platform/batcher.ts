/**
 * Batcher groups concurrent calls: the first call starts a batch at once, calls made while it runs wait
 * and go together in the next one, in order, up to maxItems items and maxWeight in total (a heavier
 * item goes alone). A batch's fixed cost (locks, round trips, commits) is shared by its items, as
 * PostgreSQL's group commit shares a WAL flush. One batch runs at a time.
 */
export class Batcher<I, O> {
  private readonly waiting: { item: I; resolve: (value: O) => void; reject: (reason: unknown) => void }[] = [];
  private running = false;

  /** run settles each item of a batch on its own; if it throws, every item of the batch fails with that error. */
  constructor(
    private readonly run: (items: I[]) => Promise<PromiseSettledResult<O>[]>,
    private readonly limits: { maxItems: number; maxWeight: number; weight: (item: I) => number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.nextBatchSize());
      try {
        const results = await this.run(batch.map((b) => b.item));
        results.forEach((result, i) => (result.status === 'fulfilled' ? batch[i].resolve(result.value) : batch[i].reject(result.reason)));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.running = false;
  }

  private nextBatchSize(): number {
    let weight = this.limits.weight(this.waiting[0].item);
    let size = 1;
    while (size < Math.min(this.waiting.length, this.limits.maxItems)) {
      weight += this.limits.weight(this.waiting[size].item);
      if (weight > this.limits.maxWeight) break;
      size++;
    }
    return size;
  }
}

/** Settles a promise-returning call: its value or its error, never a rejection. */
export async function settle<T>(call: () => Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: 'fulfilled', value: await call() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}
