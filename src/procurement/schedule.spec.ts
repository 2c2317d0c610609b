import { Amount } from '../platform/money';
import { releaseTrigger } from './release-rules';
import { isReleaseSchedule, isTimeZone, nextReleaseTime, releaseTimesFrom } from './schedule';

describe('release schedule', () => {
  it('accepts IANA time zones and 5-field cron only', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isReleaseSchedule('0 10 * * 1')).toBe(true);
    expect(isReleaseSchedule('*/15 8-17 * * MON-FRI')).toBe(true);
    expect(isReleaseSchedule('0 0 10 * * 1')).toBe(false);
    expect(isReleaseSchedule('61 * * * *')).toBe(false);
    expect(isReleaseSchedule('every monday')).toBe(false);
  });

  it('keeps Mondays 10:00 Berlin time across the spring DST change', () => {
    const times: string[] = [];
    let after = new Date('2026-03-16T00:00:00Z');
    for (let i = 0; i < 3; i++) {
      after = nextReleaseTime('0 10 * * 1', 'Europe/Berlin', after);
      times.push(after.toISOString());
    }
    // CET (UTC+1) before 29 March, CEST (UTC+2) after.
    expect(times).toEqual(['2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', '2026-03-30T08:00:00.000Z']);
  });

  it('fires a daily 10:00 New York release once a day through the DST week, on the wall clock', () => {
    let after = new Date('2026-03-06T00:00:00Z');
    const days: string[] = [];
    for (let i = 0; i < 4; i++) {
      after = nextReleaseTime('0 10 * * *', 'America/New_York', after);
      days.push(after.toISOString());
    }
    expect(days).toEqual(['2026-03-06T15:00:00.000Z', '2026-03-07T15:00:00.000Z', '2026-03-08T14:00:00.000Z', '2026-03-09T14:00:00.000Z']);
  });

  it('runs a nonexistent local time (02:30 on the spring-forward night) once, not zero or twice', () => {
    const first = nextReleaseTime('30 2 * * *', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z'));
    const second = nextReleaseTime('30 2 * * *', 'Europe/Berlin', first);
    expect(first.getTime()).toBeLessThan(new Date('2026-03-29T12:00:00Z').getTime());
    expect(second.toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });

  it('releases on the first tick at or after the scheduled time in a DST week', () => {
    const scheduled = nextReleaseTime('0 10 * * 1', 'Europe/Berlin', new Date('2026-03-24T00:00:00Z'));
    const policy = { minQuantity: 0, minValue: Amount.zero('EUR'), releaseSchedule: '0 10 * * 1', maxWaitDays: 0, paused: false };
    const buffer = { quantity: 1, value: Amount.zero('EUR'), oldestDemandTime: new Date('2026-03-24T00:00:00Z') };
    // 09:00 UTC on 30 March is 11:00 CEST: an hour late; 07:59 UTC is still before 10:00 CEST.
    expect(releaseTrigger(policy, buffer, scheduled, new Date('2026-03-30T07:59:59Z'))).toBeNull();
    expect(releaseTrigger(policy, buffer, scheduled, new Date('2026-03-30T08:00:00Z'))).toBe('SCHEDULE');
    expect(releaseTrigger({ ...policy, paused: true }, buffer, scheduled, new Date('2026-03-30T08:00:00Z'))).toBeNull();
  });
});

describe('releaseTimesFrom', () => {
  it.each([
    ['0 10 * * 1', 'Europe/Berlin'],
    ['0 8 * * 1-5', 'America/New_York'],
    ['30 2 * * *', 'Europe/Berlin'], // 02:30 does not exist on 29 March and happens twice on 25 October
    ['0 * * * *', 'Europe/London'],
  ])('gives the times nextReleaseTime gives, across DST changes (%s in %s)', (schedule, timeZone) => {
    const from = new Date('2026-03-20T00:00:00Z');
    const next = releaseTimesFrom(schedule, timeZone, from);
    for (let at = from.getTime(); at < Date.UTC(2026, 10, 5); at += 13.25 * 3_600_000) {
      expect([new Date(at), next(new Date(at))]).toEqual([new Date(at), nextReleaseTime(schedule, timeZone, new Date(at))]);
    }
  });
});
