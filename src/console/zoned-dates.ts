/** The calendar date of time on the wall clock of timeZone, as YYYY-MM-DD ("" when unset). */
export function dateIn(time: Date | undefined, timeZone: string): string {
  if (!time) return '';
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(time);
}

/** How far timeZone's wall clock is ahead of UTC at time, in milliseconds. */
function offsetAt(time: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(time)
      .map((part) => [part.type, Number(part.value)]),
  );
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(time.getTime() / 1000) * 1000;
}

/**
 * Noon of a calendar day (YYYY-MM-DD) on the wall clock of timeZone: the instant a promised delivery day is
 * stored as, so that it reads as that day in the supplier's zone (and in UTC, for zones within 12 hours of it).
 * Undefined for a day that does not exist.
 */
export function noonOf(day: string, timeZone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utcNoon = new Date(Date.UTC(year, month - 1, date, 12));
  if (utcNoon.getUTCFullYear() !== year || utcNoon.getUTCMonth() !== month - 1 || utcNoon.getUTCDate() !== date) return undefined;
  return new Date(utcNoon.getTime() - offsetAt(utcNoon, timeZone));
}
