import { addBusinessDays } from './business-days';

describe('addBusinessDays', () => {
  it('skips the weekend on the supplier\'s wall clock, keeping the local time of day', () => {
    // Friday 15:00 in New York (UTC-5) plus 2 business days: Tuesday 15:00 there
    expect(addBusinessDays(new Date('2026-01-09T20:00:00Z'), 2, 'America/New_York')).toEqual(new Date('2026-01-13T20:00:00Z'));
    // Monday plus 2: Wednesday
    expect(addBusinessDays(new Date('2026-01-12T20:00:00Z'), 2, 'America/New_York')).toEqual(new Date('2026-01-14T20:00:00Z'));
  });

  it('reads the weekday in the supplier\'s time zone, not in UTC', () => {
    // Friday 2026-01-09 23:30 UTC is Saturday 08:30 in Tokyo: one business day later is Monday 08:30 there
    expect(addBusinessDays(new Date('2026-01-09T23:30:00Z'), 1, 'Asia/Tokyo')).toEqual(new Date('2026-01-11T23:30:00Z'));
    // the same instant is still Friday in UTC, where one business day later is Monday 23:30 UTC
    expect(addBusinessDays(new Date('2026-01-09T23:30:00Z'), 1, 'Etc/UTC')).toEqual(new Date('2026-01-12T23:30:00Z'));
  });

  it('keeps the local time across a DST change', () => {
    // Friday 2026-03-27 10:00 in Berlin (UTC+1); the clocks go forward on Sunday: Monday 10:00 is UTC+2
    expect(addBusinessDays(new Date('2026-03-27T09:00:00Z'), 1, 'Europe/Berlin')).toEqual(new Date('2026-03-30T08:00:00Z'));
  });
});
