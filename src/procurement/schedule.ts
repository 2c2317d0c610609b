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
