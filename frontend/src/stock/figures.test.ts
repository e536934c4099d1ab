import { describe, expect, it } from 'vitest';
import { chartBars, barTimeText } from './PriceChart';
import { formatDollars, formatPrice, formatShares, formatTimes, sessionPart } from './figures';

describe('figures', () => {
  it.each([
    [formatPrice, 12.345, '$12.35'],
    [formatPrice, 0.45123, '$0.4512'],
    [formatPrice, null, '—'],
    [formatDollars, 1_234_567, '$1.2M'],
    [formatDollars, 950_000, '$950K'],
    [formatDollars, 2_500_000_000, '$2.5B'],
    [formatDollars, Number.NaN, '—'],
    [formatShares, 18_500_000, '18.5M'],
    [formatShares, 999, '999'],
    [formatTimes, 3.42, '3.4x'],
    [formatTimes, null, '—'],
  ] as const)('%o(%s) → %s', (format, value, text) => {
    expect(format(value)).toBe(text);
  });

  it.each([
    ['2026-11-24T08:59:00Z', 'closed'], // 03:59 ET
    ['2026-11-24T09:05:00Z', 'pre-market'], // 04:05 ET
    ['2026-11-24T14:29:00Z', 'pre-market'], // 09:29 ET
    ['2026-11-24T14:30:00Z', 'regular'], // 09:30 ET
    ['2026-11-24T21:00:00Z', 'after hours'], // 16:00 ET
    ['2026-07-01T13:35:00Z', 'regular'], // 09:35 EDT
    ['nonsense', 'closed'],
  ])('%s is %s', (iso, part) => {
    expect(sessionPart(iso)).toBe(part);
  });
});

describe('chart bars', () => {
  it('sorts by time, keeps the later of two bars at one time and drops bars without prices', () => {
    const bar = (time: number, close: number) => ({ time, open: 1, high: 2, low: 0.5, close, volume: 10 });
    expect(chartBars([bar(120, 1), bar(60, 2), bar(120, 3), bar(180, Number.NaN)])).toEqual([bar(60, 2), bar(120, 3)]);
  });

  it('writes minute bars in New York time and day bars as their session’s date', () => {
    const nineThirtyEt = Date.UTC(2026, 10, 24, 14, 30) / 1000;
    expect(barTimeText(nineThirtyEt, 'minute')).toBe('09:30');
    expect(barTimeText(nineThirtyEt, 'minute', true)).toBe('Nov 24, 09:30 ET');
    // 00:00 UTC of the session: in New York that is the evening before, but the bar is the 24th.
    const session = Date.UTC(2026, 10, 24) / 1000;
    expect(barTimeText(session, 'day')).toBe('Nov 24');
    expect(barTimeText(session, 'day', true)).toBe('Nov 24, 2026');
  });
});
