/** The wall clock of an instant in a time zone: calendar fields, with the month 1-12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** What the wall clock of timeZone reads at `time`. */
export function wallClock(time: Date, timeZone: string): WallClock {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(time).map((p) => [p.type, Number(p.value)]));
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second, millisecond: time.getUTCMilliseconds() };
}

function asUtc(clock: WallClock): number {
  return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second, clock.millisecond);
}

/** The instant whose wall clock in timeZone is `clock` (in a DST gap: shifted by the gap, as clocks do). */
export function instantOf(clock: WallClock, timeZone: string): Date {
  const wanted = asUtc(clock);
  let guess = wanted;
  for (let i = 0; i < 2; i++) guess = wanted - (asUtc(wallClock(new Date(guess), timeZone)) - guess);
  return new Date(guess);
}

/** The calendar date of time on the wall clock of timeZone, as YYYY-MM-DD ("" when unset). */
export function dateIn(time: Date | undefined, timeZone: string): string {
  if (!time) return '';
  const { year, month, day } = wallClock(time, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
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
  return instantOf({ year, month, day: date, hour: 12, minute: 0, second: 0, millisecond: 0 }, timeZone);
}
