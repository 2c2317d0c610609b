import { Amount } from '../platform/money';
import { decideRelease, maxWaitDeadline, purchaseOrderLines, type BufferPolicy, type OrderingTerms, type ReleaseTrigger } from './release-rules';
import { releaseTimesFrom } from './schedule';

/** A demand as it arrived. */
export interface DemandArrival {
  demandId: string;
  sku: string;
  quantity: number;
  time: Date;
}

/** A cancellation as it was asked for: up to quantity units of a demand still buffered (0 = all of them). */
export interface DemandCancellation {
  demandId: string;
  quantity: number;
  time: Date;
}

/** What the supplier sells, as rounding and valuing need it. */
export interface SimulatedProduct extends OrderingTerms {
  sku: string;
  supplierSku: string;
  unitCost: Amount;
}

/** The supplier a simulation releases for. */
export interface SimulationSetup {
  timeZone: string;
  currencyCode: string;
  products: SimulatedProduct[];
  /** The replayed window [start, end). */
  start: Date;
  end: Date;
}

/** One simulated PO. */
export interface SimulatedRelease {
  time: Date;
  trigger: ReleaseTrigger;
  lines: (SimulatedProduct & { demandedQuantity: number; quantity: number })[];
  total: Amount;
}

/** What a policy would have released over the window. */
export interface SimulationResult {
  policy: BufferPolicy;
  releases: SimulatedRelease[];
  demandedQuantity: number;
  orderedQuantity: number;
  surplusQuantity: number;
  /** Waits of released demands from arrival to release, in milliseconds (0 when nothing was released). */
  averageWaitMs: number;
  p90WaitMs: number;
  maxWaitMs: number;
  totalValue: Amount;
  averageValue: Amount;
  unreleasedQuantity: number;
}

interface Piece {
  demandId: string;
  sku: string;
  quantity: number;
  time: Date;
}

type Event = { kind: 'arrival'; at: number; demand: DemandArrival } | { kind: 'cancellation'; at: number; cancellation: DemandCancellation };

/**
 * Replays demand arrivals and cancellations in [start, end) through a policy with the release path's own
 * pure functions: a clock steps from event to event and to the times the rules can fire (the schedule's next
 * time, the oldest demand's max-wait deadline). At each arrival and each such time decideRelease judges the
 * buffer as it then is (an arrival is judged at once, as RecordDemand does); a release empties the buffer
 * into one PO whose lines purchaseOrderLines rounds; a due schedule moves on as it does in the database.
 * While the buffer is empty a schedule time releases nothing, so the clock skips those times to the next
 * arrival. The buffer starts empty: demand that arrived before the window is not replayed. A cancellation
 * takes units of a demand still buffered (up to its quantity, 0 = all); units already released stay on their PO.
 */
export function simulate(policy: BufferPolicy, setup: SimulationSetup, arrivals: DemandArrival[], cancellations: DemandCancellation[]): SimulationResult {
  const { timeZone, currencyCode, start, end } = setup;
  const products = new Map(setup.products.map((p) => [p.sku, p]));
  const events: Event[] = [
    ...arrivals.filter((d) => products.has(d.sku)).map((demand) => ({ kind: 'arrival' as const, at: demand.time.getTime(), demand })),
    ...cancellations.map((cancellation) => ({ kind: 'cancellation' as const, at: cancellation.time.getTime(), cancellation })),
  ]
    .filter((e) => e.at >= start.getTime() && e.at < end.getTime())
    // In time order; at one instant an arrival comes before a cancellation of it.
    .sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'arrival' ? -1 : 1));

  let pieces: Piece[] = [];
  let head = 0; // pieces before head are empty: pieces[head] is the oldest demand still buffered
  const byId = new Map<string, Piece>();
  let quantity = 0;
  let value = Amount.zero(currencyCode);
  const nextTime = releaseTimesFrom(policy.releaseSchedule, timeZone, start);
  let scheduled = nextTime(start);
  const releases: SimulatedRelease[] = [];
  const waits: number[] = [];

  const totals = () => {
    while (head < pieces.length && pieces[head].quantity === 0) head++;
    return { quantity, value, oldestDemandTime: head < pieces.length ? pieces[head].time : null };
  };
  const take = (piece: Piece, units: number) => {
    piece.quantity -= units;
    quantity -= units;
    value = value.plus(products.get(piece.sku)!.unitCost.times(-units));
  };
  const evaluate = (at: number) => {
    const decision = decideRelease(policy, timeZone, scheduled, totals(), new Date(at), false, nextTime);
    scheduled = decision.scheduledTime;
    if (decision.trigger === null) return;
    const buffered = pieces.filter((p) => p.quantity > 0);
    const lines = purchaseOrderLines(buffered, [...products.values()]);
    const total = lines.reduce((sum, l) => sum.plus(l.unitCost.times(l.quantity)), Amount.zero(currencyCode));
    releases.push({ time: new Date(at), trigger: decision.trigger, lines, total });
    for (const p of buffered) waits.push(at - p.time.getTime());
    pieces = [];
    head = 0;
    byId.clear();
    quantity = 0;
    value = Amount.zero(currencyCode);
  };

  let i = 0;
  for (;;) {
    const nextEvent = i < events.length ? events[i].at : Infinity;
    if (quantity === 0 && !policy.paused && scheduled.getTime() < nextEvent && nextEvent !== Infinity) {
      // Nothing to release until the next arrival: the schedule's times before it only move it on.
      scheduled = nextTime(new Date(nextEvent - 1));
    }
    const tick = policy.paused || quantity === 0 ? Infinity : scheduled.getTime();
    const deadline = policy.paused ? null : maxWaitDeadline(policy, totals());
    const at = Math.min(nextEvent, tick, deadline?.getTime() ?? Infinity);
    if (at >= end.getTime()) break;
    if (at === nextEvent) {
      const event = events[i++];
      if (event.kind === 'arrival') {
        const { demandId, sku, quantity: units, time } = event.demand;
        const piece = { demandId, sku, quantity: 0, time };
        pieces.push(piece);
        byId.set(demandId, piece);
        take(piece, -units);
        evaluate(at);
      } else {
        const piece = byId.get(event.cancellation.demandId);
        if (piece && piece.quantity > 0) take(piece, event.cancellation.quantity === 0 ? piece.quantity : Math.min(event.cancellation.quantity, piece.quantity));
      }
    } else {
      evaluate(at);
    }
  }
  return summarise(policy, currencyCode, releases, waits, quantity);
}

function summarise(policy: BufferPolicy, currencyCode: string, releases: SimulatedRelease[], waits: number[], unreleasedQuantity: number): SimulationResult {
  const lines = releases.flatMap((r) => r.lines);
  const demandedQuantity = lines.reduce((sum, l) => sum + l.demandedQuantity, 0);
  const orderedQuantity = lines.reduce((sum, l) => sum + l.quantity, 0);
  const totalValue = releases.reduce((sum, r) => sum.plus(r.total), Amount.zero(currencyCode));
  const sorted = [...waits].sort((a, b) => a - b);
  return {
    policy,
    releases,
    demandedQuantity,
    orderedQuantity,
    surplusQuantity: orderedQuantity - demandedQuantity,
    averageWaitMs: sorted.length === 0 ? 0 : sorted.reduce((sum, w) => sum + w, 0) / sorted.length,
    p90WaitMs: sorted.length === 0 ? 0 : sorted[Math.ceil(0.9 * sorted.length) - 1],
    maxWaitMs: sorted.length === 0 ? 0 : sorted[sorted.length - 1],
    totalValue,
    averageValue: averageOf(totalValue, releases.length),
    unreleasedQuantity,
  };
}

/** An amount divided by a count, rounded half up to nanos; zero for no count. */
function averageOf(total: Amount, count: number): Amount {
  if (count === 0) return Amount.zero(total.currencyCode);
  const nanos = (total.nanos * 2n + BigInt(count)) / (2n * BigInt(count));
  return Amount.parse(`${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`, total.currencyCode);
}
