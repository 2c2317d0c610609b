import { leadTimeStats } from './lead-times';
import { Amount } from '../platform/money';
import { expectedRelease, overdueArrival, quotedArrival, supplyForecast, type BufferedSupply, type QuotedDemand } from './supply-forecast';

const now = new Date('2026-03-04T12:00:00Z');
const quoted7 = leadTimeStats([], 7);
const day = (iso: string) => new Date(iso);

describe('supply forecast', () => {
  const buffer: BufferedSupply = {
    quantity: 5,
    terms: { packSize: 4, minOrderQuantity: 0 },
    paused: false,
    nextScheduledRelease: day('2026-03-09T09:00:00Z'),
    oldestDemandTime: day('2026-03-03T12:00:00Z'),
    maxWaitDays: 0,
    leadTime: quoted7,
  };

  it('expects a buffer at its next release (schedule or max wait, not before now)', () => {
    expect(expectedRelease(buffer, now)).toEqual(day('2026-03-09T09:00:00Z'));
    expect(expectedRelease({ ...buffer, maxWaitDays: 2 }, now)).toEqual(day('2026-03-05T12:00:00Z'));
    expect(expectedRelease({ ...buffer, nextScheduledRelease: day('2026-03-01T00:00:00Z') }, now)).toEqual(now);
  });

  it('orders PO arrivals and buffer arrivals in time, with promised dates for confirmed POs', () => {
    const arrivals = supplyForecast(
      [
        { purchaseOrderId: 'po-late', remaining: 3, createTime: day('2026-03-01T00:00:00Z'), sendTime: day('2026-03-01T01:00:00Z'), promisedTime: day('2026-03-20T00:00:00Z'), leadTime: quoted7, overdueDelayDays: 1 },
        { purchaseOrderId: 'po-unconfirmed', remaining: 10, createTime: day('2026-03-02T00:00:00Z'), sendTime: null, promisedTime: null, leadTime: leadTimeStats([9, 11], 7, 2), overdueDelayDays: 1 },
      ],
      [buffer, { ...buffer, paused: true }],
      now,
    );
    expect(arrivals).toEqual([
      { source: 'PURCHASE_ORDER', purchaseOrderId: 'po-unconfirmed', quantity: 10, expectedTime: day('2026-03-10T12:00:00Z'), latestTime: arrivals[0].latestTime },
      { source: 'BUFFER', purchaseOrderId: '', quantity: 8, expectedTime: day('2026-03-16T09:00:00Z'), latestTime: day('2026-03-16T09:00:00Z') },
      { source: 'PURCHASE_ORDER', purchaseOrderId: 'po-late', quantity: 3, expectedTime: day('2026-03-20T00:00:00Z'), latestTime: day('2026-03-20T00:00:00Z') },
    ]);
    expect(arrivals[0].latestTime.getTime()).toBeGreaterThan(arrivals[0].expectedTime.getTime());
  });

  it('never forecasts a line whose date passed in the past: whole weeks after its date, at least its supplier\'s overdue delay from now', () => {
    const arrivals = supplyForecast(
      [
        { purchaseOrderId: 'po-overdue', remaining: 4, createTime: day('2026-02-01T00:00:00Z'), sendTime: day('2026-02-01T00:00:00Z'), promisedTime: day('2026-03-01T00:00:00Z'), leadTime: quoted7, overdueDelayDays: 2.5 },
        { purchaseOrderId: 'po-unconfirmed-late', remaining: 2, createTime: day('2026-02-20T00:00:00Z'), sendTime: null, promisedTime: null, leadTime: quoted7, overdueDelayDays: 1 },
      ],
      [],
      now,
    );
    expect(arrivals).toEqual([
      // due 02-27 (created 02-20 + 7 days), now + 1 day = 03-05 12:00: a week after its date
      { source: 'PURCHASE_ORDER', purchaseOrderId: 'po-unconfirmed-late', quantity: 2, expectedTime: day('2026-03-06T00:00:00Z'), latestTime: day('2026-03-06T00:00:00Z') },
      // due 03-01, now + 2.5 days = 03-07 00:00: a week after its date
      { source: 'PURCHASE_ORDER', purchaseOrderId: 'po-overdue', quantity: 4, expectedTime: day('2026-03-08T00:00:00Z'), latestTime: day('2026-03-08T00:00:00Z') },
    ]);
  });

  it('moves an overdue line\'s forecast a week at a time, not day by day', () => {
    const due = day('2026-03-01T10:00:00Z');
    expect(overdueArrival(due, day('2026-03-02T10:00:00Z'))).toEqual(day('2026-03-08T10:00:00Z'));
    expect(overdueArrival(due, day('2026-03-08T10:00:00Z'))).toEqual(day('2026-03-08T10:00:00Z'));
    expect(overdueArrival(due, day('2026-03-08T10:00:01Z'))).toEqual(day('2026-03-15T10:00:00Z'));
    expect(overdueArrival(due, due)).toEqual(day('2026-03-08T10:00:00Z'));
  });
});

describe('quoted arrival', () => {
  const eur = (units: number) => Amount.parse(String(units), 'EUR');
  const quote: QuotedDemand = {
    quantity: 3,
    value: eur(30),
    policy: { minQuantity: 10, minValue: eur(0), releaseSchedule: '0 10 * * 1', maxWaitDays: 0, paused: false },
    scheduledTime: day('2026-03-09T09:00:00Z'),
    totals: { quantity: 5, value: eur(50), oldestDemandTime: day('2026-03-03T12:00:00Z') },
    skuBuffered: 2,
    terms: { packSize: 4, minOrderQuantity: 0 },
    leadTime: leadTimeStats([3, 13], 7),
  };

  it('arrives the lead time after the next scheduled release, expected to latest, as the SKU is ordered (rounded)', () => {
    expect(quotedArrival(quote, now)).toEqual({
      expectedTime: new Date(Date.parse('2026-03-09T09:00:00Z') + Math.round((51 / 7) * 86_400_000)),
      latestTime: new Date(Date.parse('2026-03-09T09:00:00Z') + Math.round((59 / 7) * 86_400_000)),
      quantity: 8, // 2 buffered + 3 quoted, in packs of 4
      source: 'BUFFER',
      purchaseOrderId: '',
    });
  });

  it('is released now when the quoted demand reaches the min quantity or min value, earlier at the max wait, never while paused', () => {
    expect(quotedArrival({ ...quote, quantity: 5 }, now)?.expectedTime).toEqual(new Date(now.getTime() + Math.round((51 / 7) * 86_400_000)));
    expect(quotedArrival({ ...quote, policy: { ...quote.policy, minQuantity: 0, minValue: eur(80) } }, now)?.expectedTime).toEqual(new Date(now.getTime() + Math.round((51 / 7) * 86_400_000)));
    const byWait = quotedArrival({ ...quote, policy: { ...quote.policy, maxWaitDays: 3 } }, now)!;
    expect(byWait.expectedTime).toEqual(new Date(Date.parse('2026-03-06T12:00:00Z') + Math.round((51 / 7) * 86_400_000)));
    expect(quotedArrival({ ...quote, policy: { ...quote.policy, paused: true } }, now)).toBeNull();
  });
});
