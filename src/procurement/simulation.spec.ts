import { Amount } from '../platform/money';
import type { BufferPolicy } from './release-rules';
import { simulate, type DemandArrival, type SimulationSetup } from './simulation';

const eur = (decimal: string) => Amount.parse(decimal, 'EUR');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const weekly: BufferPolicy = { minQuantity: 0, minValue: eur('0'), releaseSchedule: '0 10 * * 1', maxWaitDays: 0, paused: false };
// Mondays 10:00 UTC: 2 and 9 and 16 March 2026.
const setup: SimulationSetup = {
  timeZone: 'UTC',
  currencyCode: 'EUR',
  products: [{ sku: 'A', supplierSku: 'SA', packSize: 3, minOrderQuantity: 0, unitCost: eur('1.50') }],
  start: new Date('2026-03-01T00:00:00Z'),
  end: new Date('2026-03-20T00:00:00Z'),
};
// Two units of A every day at 12:00 UTC, 2 to 11 March.
const arrivals: DemandArrival[] = Array.from({ length: 10 }, (_, i) => ({
  demandId: `d${i}`,
  sku: 'A',
  quantity: 2,
  time: new Date(Date.UTC(2026, 2, 2 + i, 12)),
}));
const summary = (r: ReturnType<typeof simulate>) => r.releases.map((p) => [p.time.toISOString(), p.trigger, p.lines[0].demandedQuantity, p.lines[0].quantity]);

describe('simulate', () => {
  it('releases on arrival when the min quantity is reached and on the schedule otherwise, rounding to packs', () => {
    const result = simulate({ ...weekly, minQuantity: 4 }, setup, arrivals, []);
    expect(summary(result)).toEqual([
      ['2026-03-03T12:00:00.000Z', 'MIN_QUANTITY', 4, 6],
      ['2026-03-05T12:00:00.000Z', 'MIN_QUANTITY', 4, 6],
      ['2026-03-07T12:00:00.000Z', 'MIN_QUANTITY', 4, 6],
      ['2026-03-09T10:00:00.000Z', 'SCHEDULE', 2, 3],
      ['2026-03-10T12:00:00.000Z', 'MIN_QUANTITY', 4, 6], // 9 and 10 March
      ['2026-03-16T10:00:00.000Z', 'SCHEDULE', 2, 3], // 11 March
    ]);
    expect([result.demandedQuantity, result.orderedQuantity, result.surplusQuantity, result.unreleasedQuantity]).toEqual([20, 30, 10, 0]);
  });

  it('makes fewer, larger POs with a higher min quantity, and reports waits and values', () => {
    const result = simulate({ ...weekly, minQuantity: 10 }, setup, arrivals, []);
    expect(summary(result)).toEqual([
      ['2026-03-06T12:00:00.000Z', 'MIN_QUANTITY', 10, 12],
      ['2026-03-09T10:00:00.000Z', 'SCHEDULE', 4, 6],
      ['2026-03-16T10:00:00.000Z', 'SCHEDULE', 6, 6],
    ]);
    expect([result.demandedQuantity, result.orderedQuantity, result.surplusQuantity]).toEqual([20, 24, 4]);
    // Waits: 4,3,2,1,0 days; 46 and 22 hours; 166, 142 and 118 hours.
    const waits = [96, 72, 48, 24, 0, 46, 22, 166, 142, 118].map((h) => h * HOUR);
    expect(result.maxWaitMs).toBe(166 * HOUR);
    expect(result.averageWaitMs).toBe(waits.reduce((a, b) => a + b) / waits.length);
    expect(result.p90WaitMs).toBe(142 * HOUR); // 9th of 10 sorted
    expect(result.totalValue).toEqual(eur('36')); // 24 units at 1.50
    expect(result.averageValue).toEqual(eur('12'));
  });

  it('takes cancelled units out of the buffer, but not units already released', () => {
    const cancellations = [
      { demandId: 'd0', quantity: 0, time: new Date('2026-03-02T13:00:00Z') }, // all of d0, still buffered
      { demandId: 'd1', quantity: 1, time: new Date('2026-03-03T13:00:00Z') }, // 1 of d1
      { demandId: 'd1', quantity: 5, time: new Date('2026-03-09T11:00:00Z') }, // after its release: no effect
    ];
    const result = simulate(weekly, { ...setup, end: new Date('2026-03-09T12:00:00Z') }, arrivals, cancellations);
    // By Monday 9 March 10:00: d1 (1 left) + d2..d6 (10) = 11 units.
    expect(summary(result)).toEqual([['2026-03-09T10:00:00.000Z', 'SCHEDULE', 11, 12]]);
    expect(result.unreleasedQuantity).toBe(0);
  });

  it('releases at the max-wait deadline, not before', () => {
    const result = simulate({ ...weekly, releaseSchedule: '0 10 1 1 *', maxWaitDays: 2 }, setup, arrivals.slice(0, 1), []);
    expect(summary(result)).toEqual([['2026-03-04T12:00:00.000Z', 'MAX_WAIT', 2, 3]]);
    expect(result.maxWaitMs).toBe(2 * DAY);
  });

  it('releases nothing while paused and leaves the demand buffered', () => {
    const result = simulate({ ...weekly, paused: true, minQuantity: 1, maxWaitDays: 1 }, setup, arrivals, []);
    expect(result.releases).toEqual([]);
    expect([result.unreleasedQuantity, result.averageWaitMs, result.averageValue]).toEqual([20, 0, eur('0')]);
  });

  it('replays 10,000 demands over 13 weeks with a weekday schedule in well under a second', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ demandId: `m${i}`, sku: 'A', quantity: 1 + (i % 3), time: new Date(setup.start.getTime() + i * 13 * 60_000) }));
    const started = performance.now();
    const result = simulate({ ...weekly, releaseSchedule: '0 8 * * 1-5', minQuantity: 40 }, { ...setup, end: new Date(setup.start.getTime() + 13 * 7 * DAY) }, many, []);
    expect(performance.now() - started).toBeLessThan(5000); // generous on a loaded machine: bench/simulate-policy.sh measures it
    expect(result.demandedQuantity + result.unreleasedQuantity).toBe(many.reduce((sum, d) => sum + d.quantity, 0));
  });
});
