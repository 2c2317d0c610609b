/** The wall clock of an instant in a time zone: calendar fields, with the month 1-12. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function wallClock(time: Date, timeZone: string): WallClock {
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
function instantOf(clock: WallClock, timeZone: string): Date {
  const wanted = asUtc(clock);
  let guess = wanted;
  for (let i = 0; i < 2; i++) guess = wanted - (asUtc(wallClock(new Date(guess), timeZone)) - guess);
  return new Date(guess);
}

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
