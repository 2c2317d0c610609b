import { Amount } from '../platform/money';
import { decideRelease, nextRelease, orderQuantity, purchaseOrderLines, releaseTrigger, type BufferPolicy, type BufferTotals } from './release-rules';

const eur = (decimal: string) => Amount.parse(decimal, 'EUR');
const off: BufferPolicy = { minQuantity: 0, minValue: eur('0'), releaseSchedule: '0 10 * * 1', maxWaitDays: 0, paused: false };
const asOf = new Date('2026-03-04T12:00:00Z');
const later = new Date('2026-03-09T09:00:00Z');
const DAY = 86_400_000;
const buffer = (quantity: number, euros = 0, ageDays = 0): BufferTotals => ({
  quantity,
  value: eur(String(euros)),
  oldestDemandTime: new Date(asOf.getTime() - ageDays * DAY),
});

describe('releaseTrigger', () => {
  it.each([
    ['min quantity reached', { minQuantity: 10 }, buffer(10), later, false, 'MIN_QUANTITY'],
    ['min quantity one short', { minQuantity: 10 }, buffer(9), later, false, null],
    ['min value reached', { minValue: eur('100') }, buffer(1, 100), later, false, 'MIN_VALUE'],
    ['min value one cent short', { minValue: eur('100') }, { ...buffer(1), value: eur('99.99') }, later, false, null],
    ['max wait reached to the millisecond', { maxWaitDays: 3 }, buffer(1, 1, 3), later, false, 'MAX_WAIT'],
    ['max wait one millisecond short', { maxWaitDays: 3 }, { ...buffer(1), oldestDemandTime: new Date(asOf.getTime() - 3 * DAY + 1) }, later, false, null],
    ['schedule due exactly now', {}, buffer(1), asOf, false, 'SCHEDULE'],
    ['schedule due earlier', {}, buffer(1), new Date(asOf.getTime() - 1), false, 'SCHEDULE'],
    ['schedule one millisecond ahead', {}, buffer(1), new Date(asOf.getTime() + 1), false, null],
    ['zero thresholds are off', { minQuantity: 0, minValue: eur('0'), maxWaitDays: 0 }, buffer(1000, 1_000_000, 365), later, false, null],
    ['empty buffer never releases', { minQuantity: 1 }, buffer(0), asOf, true, null],
    ['paused holds every rule', { paused: true, minQuantity: 1, maxWaitDays: 1 }, buffer(50, 50, 30), asOf, false, null],
    ['force releases a paused buffer', { paused: true }, buffer(1), later, true, 'MANUAL'],
    ['force wins over thresholds', { minQuantity: 1 }, buffer(5), later, true, 'MANUAL'],
    ['quantity wins over value, wait and schedule', { minQuantity: 1, minValue: eur('0.000000001'), maxWaitDays: 1 }, buffer(5, 5, 5), asOf, false, 'MIN_QUANTITY'],
    ['value wins over wait and schedule', { minQuantity: 100, minValue: eur('0.000000001'), maxWaitDays: 1 }, buffer(5, 5, 5), asOf, false, 'MIN_VALUE'],
    ['wait wins over schedule', { maxWaitDays: 1 }, buffer(5, 5, 5), asOf, false, 'MAX_WAIT'],
  ] as const)('%s', (_name, policy, totals, scheduled, force, expected) => {
    expect(releaseTrigger({ ...off, ...policy }, totals, scheduled, asOf, force)).toBe(expected);
  });

  it('compares min values exactly, beyond what a float tells apart', () => {
    const policy = { ...off, minValue: eur('12345678901.000000002') };
    expect(releaseTrigger(policy, { ...buffer(1), value: eur('12345678901.000000001') }, later, asOf)).toBeNull();
    expect(releaseTrigger(policy, { ...buffer(1), value: eur('12345678901.000000002') }, later, asOf)).toBe('MIN_VALUE');
  });

  it('refuses to compare a buffer value with a min value in another currency', () => {
    const inDollars = { ...buffer(1), value: Amount.parse('500', 'USD') };
    expect(() => releaseTrigger({ ...off, minValue: eur('100') }, inDollars, later, asOf)).toThrow(expect.objectContaining({ reason: 'CURRENCY_MISMATCH' }));
  });
});

describe('orderQuantity', () => {
  it.each([
    [7, 1, 0, 7],
    [7, 6, 0, 12],
    [6, 6, 0, 6],
    [1, 12, 0, 12],
    [3, 1, 8, 8],
    [9, 1, 8, 9],
    [3, 6, 10, 10],
    [11, 6, 10, 12],
    [13, 5, 20, 20],
  ])('demand %i, pack %i, MOQ %i -> %i', (demand, packSize, minOrderQuantity, expected) => {
    expect(orderQuantity(demand, { packSize, minOrderQuantity })).toBe(expected);
  });
});

describe('decideRelease', () => {
  // asOf is Wednesday 4 March 2026; the schedule is Mondays 10:00 Berlin (09:00 UTC).
  it('moves a due schedule on to its next time, whether or not anything is released', () => {
    expect(decideRelease(off, 'Europe/Berlin', new Date('2026-03-02T09:00:00Z'), buffer(1), asOf)).toEqual({
      trigger: 'SCHEDULE',
      scheduledTime: new Date('2026-03-09T09:00:00Z'),
      scheduleMoved: true,
    });
    expect(decideRelease(off, 'Europe/Berlin', new Date('2026-03-02T09:00:00Z'), buffer(0), asOf)).toMatchObject({ trigger: null, scheduleMoved: true });
  });

  it('keeps a schedule that is not due, and every schedule while paused', () => {
    expect(decideRelease({ ...off, minQuantity: 1 }, 'Europe/Berlin', later, buffer(1), asOf)).toEqual({ trigger: 'MIN_QUANTITY', scheduledTime: later, scheduleMoved: false });
    const past = new Date('2026-03-02T09:00:00Z');
    expect(decideRelease({ ...off, paused: true }, 'Europe/Berlin', past, buffer(1), asOf, true)).toEqual({ trigger: 'MANUAL', scheduledTime: past, scheduleMoved: false });
  });
});

describe('nextRelease', () => {
  it.each([
    ['empty', off, buffer(0), { time: null, rule: 'EMPTY' }],
    ['paused', { ...off, paused: true, minQuantity: 1 }, buffer(5), { time: null, rule: 'PAUSED' }],
    ['a threshold holds: now', { ...off, minValue: eur('10') }, buffer(1, 10), { time: asOf, rule: 'MIN_VALUE' }],
    ['the schedule', off, buffer(1, 1, 1), { time: later, rule: 'SCHEDULE' }],
    ['a max wait before the schedule', { ...off, maxWaitDays: 2 }, buffer(1, 1, 1), { time: new Date(asOf.getTime() + DAY), rule: 'MAX_WAIT' }],
    ['a max wait after the schedule', { ...off, maxWaitDays: 10 }, buffer(1, 1, 1), { time: later, rule: 'SCHEDULE' }],
  ] as const)('%s', (_name, policy, totals, expected) => {
    expect(nextRelease(policy, totals, later, asOf)).toEqual(expected);
  });
});

describe('purchaseOrderLines', () => {
  it('sums demand per SKU, rounds each line to MOQ and packs, in SKU order, and leaves out SKUs without a product', () => {
    const products = [
      { sku: 'B', packSize: 6, minOrderQuantity: 0 },
      { sku: 'A', packSize: 1, minOrderQuantity: 8 },
      { sku: 'C', packSize: 1, minOrderQuantity: 0 },
    ];
    const demand = [{ sku: 'B', quantity: 4 }, { sku: 'A', quantity: 3 }, { sku: 'B', quantity: 3 }, { sku: 'Z', quantity: 1 }];
    expect(purchaseOrderLines(demand, products).map((l) => [l.sku, l.demandedQuantity, l.quantity])).toEqual([['A', 3, 8], ['B', 7, 12]]);
  });
});
