import type { SectorColor, Signal, Timeframe } from './api/types';

/** Shown in place of a value that is missing or not a finite number. */
export const MISSING = '—';

export function isNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `0.62` → "+0.62", `-0.4` → "-0.40"; zero after rounding has no sign; null → "—". */
export function formatSigned(value: number | null | undefined, decimals: number): string {
  if (!isNumber(value)) return MISSING;
  const text = Math.abs(value).toFixed(decimals);
  if (Number(text) === 0) return text;
  return `${value > 0 ? '+' : '-'}${text}`;
}

/** A return in percent: `8.2` → "+8.2%". */
export function formatPercent(value: number | null | undefined, decimals = 1): string {
  const text = formatSigned(value, decimals);
  return text === MISSING ? text : `${text}%`;
}

/** Composite score, signed with 2 decimals. */
export function formatScore(value: number | null | undefined): string {
  return formatSigned(value, 2);
}

/** Confidence 0..1 → "71%". */
export function formatConfidence(value: number | null | undefined): string {
  return isNumber(value) ? `${Math.round(value * 100)}%` : MISSING;
}

/** Relative volume → "2.1x vol", or null when unknown. */
export function formatRelativeVolume(value: number | null | undefined): string | null {
  return isNumber(value) ? `${value.toFixed(1)}x vol` : null;
}

const COMPACT = new Map<number, Intl.NumberFormat>();

/**
 * A count or amount in K/M/B/T with one decimal: 335708578 → "335.7M". `billionDecimals` sets the
 * precision from a billion up, where one decimal can hide a tenth of the value (the lookup's market
 * caps read "1.09B", the detail table's floats "1.1B").
 */
export function formatCompact(value: number | null | undefined, billionDecimals = 1): string {
  if (!isNumber(value)) return MISSING;
  const decimals = Math.abs(value) >= 1e9 ? billionDecimals : 1;
  let format = COMPACT.get(decimals);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: decimals });
    COMPACT.set(decimals, format);
  }
  return format.format(value);
}

/** A rank score, 2 decimals. */
export function formatRank(value: number | null | undefined): string {
  return isNumber(value) ? value.toFixed(2) : MISSING;
}

/** A size tier: "small_cap" → "Small cap". */
export function formatTier(tier: string | null | undefined): string {
  return tier ? humanize(tier) : MISSING;
}

/** Human age: "just now", "4 min ago", "2 h 37 min ago", "1 d 3 h ago". */
export function formatAge(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) return MISSING;
  const totalMinutes = Math.floor(Math.max(0, seconds) / 60);
  if (totalMinutes < 1) return 'just now';
  if (totalMinutes < 60) return `${totalMinutes} min ago`;
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours < 24) {
    const minutes = totalMinutes % 60;
    return minutes === 0 ? `${totalHours} h ago` : `${totalHours} h ${minutes} min ago`;
  }
  const days = Math.floor(totalHours / 24);
  const hours = totalHours % 24;
  return hours === 0 ? `${days} d ago` : `${days} d ${hours} h ago`;
}

/** Seconds from an ISO timestamp to `nowMs`; null when the timestamp is unparseable. */
export function ageSeconds(iso: string, nowMs: number): number | null {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? null : (nowMs - then) / 1000;
}

const ET_TIME = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** ISO timestamp → wall-clock time in New York, "06:37 ET". */
export function formatEtTime(iso: string): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? MISSING : `${ET_TIME.format(then)} ET`;
}

const ET_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** ISO timestamp → the session date in New York, "2016-03-04". */
export function formatEtDate(iso: string): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? MISSING : ET_DATE.format(then);
}

/** ISO timestamp → date and time in New York, "2016-03-04 15:55 ET". */
export function formatEtDateTime(iso: string): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? MISSING : `${ET_DATE.format(then)} ${ET_TIME.format(then)} ET`;
}

/** CSS class of a colour: "dark_green" → "dark-green". */
export function colorClass(color: SectorColor): string {
  return color.replace(/_/g, '-');
}

/** Each colour's words and the shape that repeats its meaning (▲ green, ▼ red, ◆ neutral). */
const COLORS: Record<SectorColor, { name: string; arrow: string }> = {
  dark_red: { name: 'dark red', arrow: '▼' },
  light_red: { name: 'light red', arrow: '▼' },
  blue_neutral: { name: 'neutral', arrow: '◆' },
  light_green: { name: 'light green', arrow: '▲' },
  dark_green: { name: 'dark green', arrow: '▲' },
};

export function colorName(color: SectorColor): string {
  return COLORS[color].name;
}

export function colorArrow(color: SectorColor): string {
  return COLORS[color].arrow;
}

const SIGNAL_LABELS: Record<Signal, string> = {
  PRIME_SHORTING_ENVIRONMENT: 'Prime shorting',
  GOOD_SHORTING_ENVIRONMENT: 'Good shorting',
  NEUTRAL_CAUTIOUS: 'Neutral / cautious',
  AVOID_SHORTS: 'Avoid shorts',
  DO_NOT_SHORT: 'Do not short',
};

export function signalLabel(signal: Signal): string {
  return SIGNAL_LABELS[signal];
}

/** What a sector card says it signals: with too few members for a colour, that instead of the
 * neutral colour's words (docs/methodology.md §8). */
export function sectorSignalText(sector: {
  signal: Signal;
  insufficient_data: boolean;
  stock_count: number;
}): string {
  if (!sector.insufficient_data) return signalLabel(sector.signal);
  return `Insufficient data (${sector.stock_count} member${sector.stock_count === 1 ? '' : 's'})`;
}

/** "small_cap" → "Small cap". */
export function humanize(text: string): string {
  const spaced = text.replace(/_/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** "30m" → "30M". */
export function timeframeLabel(timeframe: Timeframe): string {
  return timeframe.toUpperCase();
}

/**
 * The browser tab's title: analysis time first so it reads in a narrow tab, prefixed with what
 * is wrong (stale data, a lost connection) so a background tab still tells.
 */
export function pageTitle(asOf: string | null, stale: boolean, connection: string): string {
  if (asOf === null) return 'SectorLights';
  const problems = [
    stale && 'Stale',
    connection === 'offline' && 'Offline',
    connection === 'reconnecting' && 'Reconnecting',
  ]
    .filter(Boolean)
    .join(', ');
  const title = `${formatEtTime(asOf)} · SectorLights`;
  return problems ? `⚠ ${problems} · ${title}` : title;
}
