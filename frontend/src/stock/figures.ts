/** How the scanner and the stock panel write prices, volumes and news times. */
import { formatCompact, isNumber, MISSING } from '../format';

/** A share price: "$12.34"; under a dollar, four decimals ("$0.4512"). */
export function formatPrice(value: number | null | undefined): string {
  if (!isNumber(value)) return MISSING;
  return `$${value.toFixed(Math.abs(value) < 1 ? 4 : 2)}`;
}

/** Dollars, compact: 1_234_567 → "$1.2M". */
export function formatDollars(value: number | null | undefined): string {
  return isNumber(value) ? `$${formatCompact(value)}` : MISSING;
}

/** Shares, compact: 1_234_567 → "1.2M". */
export function formatShares(value: number | null | undefined): string {
  return formatCompact(value);
}

/** Relative volume: 3.42 → "3.4x"; unknown → "—". */
export function formatTimes(value: number | null | undefined): string {
  return isNumber(value) ? `${value.toFixed(1)}x` : MISSING;
}

const ET_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The New York minutes since midnight of an ISO instant; null when unparseable. */
export function etMinuteOfDay(iso: string): number | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const [hours, minutes] = ET_PARTS.format(ms).split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

export type SessionPart = 'pre-market' | 'regular' | 'after hours' | 'closed';

/** Which part of the trading day an instant falls in (New York time; holidays not known here). */
export function sessionPart(iso: string): SessionPart {
  const minute = etMinuteOfDay(iso);
  if (minute === null) return 'closed';
  if (minute >= 4 * 60 && minute < 9 * 60 + 30) return 'pre-market';
  if (minute >= 9 * 60 + 30 && minute < 16 * 60) return 'regular';
  if (minute >= 16 * 60 && minute < 20 * 60) return 'after hours';
  return 'closed';
}
