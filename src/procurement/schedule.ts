import { CronExpressionParser } from 'cron-parser';

/** Release schedule of a supplier that has not set one: Mondays 10:00, so no one waits longer than a week. */
export const DEFAULT_RELEASE_SCHEDULE = '0 10 * * 1';

/** True for an IANA time zone name this runtime knows (e.g. "Europe/Berlin"). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** True for a 5-field cron expression (minute hour day-of-month month day-of-week). */
export function isReleaseSchedule(expression: string): boolean {
  if (expression.trim().split(/\s+/).length !== 5) return false;
  try {
    CronExpressionParser.parse(expression, { currentDate: new Date(0), tz: 'Etc/UTC' }).next();
    return true;
  } catch {
    return false;
  }
}

/**
 * The first time strictly after `after` that the cron expression names on the wall clock of timeZone.
 * cron-parser keeps the local time across DST changes (10:00 stays 10:00 local, so it moves in UTC).
 */
export function nextReleaseTime(schedule: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(schedule, { currentDate: after, tz: timeZone }).next().toDate();
}

/**
 * nextReleaseTime for a clock that only moves forward from `from` (a replay): the same cron-parser iteration
 * in the same time zone, parsed once and stepped on, instead of parsed again for every question.
 * next(after) is nextReleaseTime(schedule, timeZone, after) for any after >= from, asked in non-decreasing order.
 */
export function releaseTimesFrom(schedule: string, timeZone: string, from: Date): (after: Date) => Date {
  const times = CronExpressionParser.parse(schedule, { currentDate: from, tz: timeZone });
  let current = times.next().toDate();
  let last = from.getTime();
  return (after) => {
    if (after.getTime() < last) return nextReleaseTime(schedule, timeZone, after);
    last = after.getTime();
    while (current.getTime() <= after.getTime()) current = times.next().toDate();
    return current;
  };
}
