import { context, type Context } from '@opentelemetry/api';

/**
 * How run settled one item of a batch: its value, its error, or requeued — the item goes back to the
 * head of the queue and is run again in a later batch.
 */
export type BatchOutcome<O> = PromiseSettledResult<O> | { status: 'requeued' };

export interface BatchLimits<I> {
  maxItems: number;
  maxWeight: number;
  weight: (item: I) => number;
  /** What an item contends for (SKUs, say): items sharing a key are never run out of their order. */
  keys?: (item: I) => string[];
}

interface Waiting<I, O> {
  item: I;
  /** The trace context of the call that submitted the item: a batch runs in its first item's, not in whichever call happened to start it. */
  trace: Context;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/**
 * Batcher groups concurrent calls: the first call starts a batch at once, calls made while it runs wait
 * and go together in the next one, in order, up to maxItems items and maxWeight in total (a heavier
 * item goes alone). A batch's fixed cost (locks, round trips, commits) is shared by its items, as
 * PostgreSQL's group commit shares a WAL flush. One batch runs at a time, unless it gives up its turn
 * while it waits for something outside the process (its keys' locks, say): then the next batch starts
 * with the waiting items whose keys it does not share.
 */
export class Batcher<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private turnTaken = false;
  /** Keys of the batches that gave up their turn and still run. */
  private readonly aside = new Set<Set<string>>();

  /**
   * run settles each item of a batch on its own (or requeues it; each batch settles at least one); if it
   * throws, every item of the batch fails with that error. It may call giveUpTurn before waiting.
   */
  constructor(
    private readonly run: (items: I[], giveUpTurn: () => void) => Promise<BatchOutcome<O>[]>,
    private readonly limits: BatchLimits<I>,
  ) {}

  /** How many calls wait for a batch. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  submit(item: I): Promise<O> {
    const result = this.enqueue(item);
    this.pump();
    return result;
  }

  /** Submits items together, so that they start in one batch (within the limits); settles each on its own. */
  submitAll(items: I[]): Promise<PromiseSettledResult<O>[]> {
    const results = items.map((item) => this.enqueue(item));
    this.pump();
    return Promise.allSettled(results);
  }

  private enqueue(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => this.waiting.push({ item, trace: context.active(), resolve, reject }));
  }

  private pump(): void {
    if (this.turnTaken) return;
    const batch = this.nextBatch();
    if (batch.length > 0) void this.runBatch(batch);
  }

  private async runBatch(batch: Waiting<I, O>[]): Promise<void> {
    this.turnTaken = true;
    const keys = new Set(batch.flatMap((b) => this.keysOf(b.item)));
    let hasTurn = true;
    const giveUpTurn = () => {
      if (!hasTurn) return;
      hasTurn = false;
      this.aside.add(keys);
      this.turnTaken = false;
      this.pump();
    };
    try {
      const results = await context.with(batch[0].trace, () =>
        this.run(
          batch.map((b) => b.item),
          giveUpTurn,
        ),
      );
      const requeued = batch.filter((_, i) => results[i].status === 'requeued');
      if (requeued.length === batch.length) throw new Error('a batch settled none of its items');
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') batch[i].resolve(result.value);
        else if (result.status === 'rejected') batch[i].reject(result.reason);
      });
      this.waiting.unshift(...requeued);
    } catch (error) {
      for (const b of batch) b.reject(error);
    } finally {
      if (hasTurn) this.turnTaken = false;
      else this.aside.delete(keys);
      this.pump();
    }
  }

  /** Takes the next batch off the queue: in order, within the limits, leaving out items that share a key with a batch set aside (and every later item sharing their keys). */
  private nextBatch(): Waiting<I, O>[] {
    const blocked = new Set<string>();
    for (const keys of this.aside) for (const key of keys) blocked.add(key);
    const taken: number[] = [];
    let weight = 0;
    for (let i = 0; i < this.waiting.length && taken.length < this.limits.maxItems; i++) {
      const keys = this.keysOf(this.waiting[i].item);
      if (keys.some((key) => blocked.has(key))) {
        for (const key of keys) blocked.add(key);
        continue;
      }
      weight += this.limits.weight(this.waiting[i].item);
      if (taken.length > 0 && weight > this.limits.maxWeight) break;
      taken.push(i);
    }
    return taken.reverse().map((i) => this.waiting.splice(i, 1)[0]).reverse();
  }

  private keysOf(item: I): string[] {
    return this.limits.keys?.(item) ?? [];
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
