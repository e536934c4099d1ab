/** How the charts read and label time: lightweight-charts' `Time` as seconds, New York clocks and dates. */
import type { Time } from 'lightweight-charts';

const NEW_YORK = 'America/New_York';

export const ET_CLOCK = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
export const ET_DATE = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, month: 'short', day: 'numeric' });
export const ET_DATE_TIME = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** A chart time (a UTC timestamp, an ISO date or a business day) as UTC epoch seconds. */
export function timeSeconds(time: Time): number {
  if (typeof time === 'number') return time;
  if (typeof time === 'string') return Date.parse(time) / 1000;
  return Date.UTC(time.year, time.month - 1, time.day) / 1000;
}
