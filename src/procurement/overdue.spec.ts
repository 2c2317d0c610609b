import { isOverdue, overdueDelayDays } from './overdue';

describe('overdue', () => {
  const now = new Date('2026-03-10T08:00:00Z');

  it('is overdue only once its due time has passed', () => {
    expect(isOverdue({ dueTime: new Date('2026-03-10T07:59:59Z') }, now)).toBe(true);
    expect(isOverdue({ dueTime: now }, now)).toBe(false);
    expect(isOverdue({ dueTime: null }, now)).toBe(false); // nothing still to come, or closed
  });

  it('forecasts overdue units the supplier\'s average lateness ahead, at least a day, a day without history', () => {
    expect(overdueDelayDays(undefined)).toBe(1);
    expect(overdueDelayDays({ promisedLinesReceived: 0, averageLatenessDays: 0 })).toBe(1);
    expect(overdueDelayDays({ promisedLinesReceived: 4, averageLatenessDays: 0.25 })).toBe(1);
    expect(overdueDelayDays({ promisedLinesReceived: 4, averageLatenessDays: 3.5 })).toBe(3.5);
  });
});
