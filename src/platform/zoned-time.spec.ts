import { dateIn, noonOf } from './zoned-time';

describe('dates in a supplier\'s time zone', () => {
  it('reads the calendar day of an instant on the zone\'s wall clock', () => {
    expect(dateIn(new Date('2026-03-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-02');
    expect(dateIn(new Date('2026-03-01T23:30:00Z'), 'America/New_York')).toBe('2026-03-01');
    expect(dateIn(undefined, 'Europe/Berlin')).toBe('');
  });

  it('stores a day as its noon in the zone, summer and winter time alike', () => {
    expect(noonOf('2026-01-15', 'Europe/Berlin')).toEqual(new Date('2026-01-15T11:00:00Z'));
    expect(noonOf('2026-07-15', 'Europe/Berlin')).toEqual(new Date('2026-07-15T10:00:00Z'));
    expect(noonOf('2026-07-15', 'America/Los_Angeles')).toEqual(new Date('2026-07-15T19:00:00Z'));
    expect(noonOf('2026-07-15', 'Pacific/Kiritimati')).toEqual(new Date('2026-07-14T22:00:00Z'));
    expect(dateIn(noonOf('2026-07-15', 'Pacific/Kiritimati'), 'Pacific/Kiritimati')).toBe('2026-07-15');
  });

  it('refuses what is not a day', () => {
    expect(noonOf('2026-02-30', 'Europe/Berlin')).toBeUndefined();
    expect(noonOf('15/07/2026', 'Europe/Berlin')).toBeUndefined();
    expect(noonOf('', 'Europe/Berlin')).toBeUndefined();
  });
});
