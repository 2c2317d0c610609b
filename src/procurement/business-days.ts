import { instantOf, wallClock } from '../platform/zoned-time';

/**
 * The time `days` business days (Monday to Friday on the wall clock of timeZone) after `from`, at the same
 * local time of day: each following calendar day counts when it is a weekday, so Friday 15:00 plus 2 is
 * Tuesday 15:00, and Saturday 10:00 plus 1 is Monday 10:00.
 */
export function addBusinessDays(from: Date, days: number, timeZone: string): Date {
  const clock = wallClock(from, timeZone);
  const date = new Date(Date.UTC(clock.year, clock.month - 1, clock.day));
  for (let counted = 0; counted < days; ) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) counted++;
  }
  return instantOf({ ...clock, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }, timeZone);
}
