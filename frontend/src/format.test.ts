import { describe, expect, it } from 'vitest';
import {
  ageSeconds,
  colorArrow,
  colorClass,
  formatAge,
  formatCompact,
  formatConfidence,
  formatEtTime,
  formatPercent,
  formatRelativeVolume,
  formatScore,
  pageTitle,
  signalLabel,
} from './format';

describe('formatAge', () => {
  it.each<[number | null, string]>([
    [0, 'just now'],
    [59, 'just now'],
    [-30, 'just now'],
    [60, '1 min ago'],
    [125, '2 min ago'],
    [240, '4 min ago'],
    [3599, '59 min ago'],
    [3600, '1 h ago'],
    [3660, '1 h 1 min ago'],
    [2 * 3600 + 37 * 60, '2 h 37 min ago'],
    [2 * 3600 + 37 * 60 + 59, '2 h 37 min ago'],
    [86_400, '1 d ago'],
    [86_400 + 3 * 3600 + 120, '1 d 3 h ago'],
    [Number.NaN, '—'],
    [null, '—'],
  ])('%s s → %s', (seconds, expected) => {
    expect(formatAge(seconds)).toBe(expected);
  });

  it('computes age from an ISO time and now', () => {
    const now = Date.parse('2026-11-24T14:14:00Z');
    expect(formatAge(ageSeconds('2026-11-24T11:37:00+00:00', now))).toBe('2 h 37 min ago');
    expect(ageSeconds('not a date', now)).toBeNull();
  });
});

describe('number formatting', () => {
  it.each<[number | null, string]>([
    [0.62, '+0.62'],
    [-0.4, '-0.40'],
    [0, '0.00'],
    [-0.001, '0.00'],
    [null, '—'],
  ])('score %s → %s', (value, expected) => {
    expect(formatScore(value)).toBe(expected);
  });

  it.each<[number | null, string]>([
    [8.2, '+8.2%'],
    [-1.25, '-1.3%'],
    [0.04, '0.0%'],
    [null, '—'],
  ])('percent %s → %s', (value, expected) => {
    expect(formatPercent(value)).toBe(expected);
  });

  it.each<[number | null, number | undefined, string]>([
    [335_708_578, undefined, '335.7M'],
    [1_086_871_614, undefined, '1.1B'],
    [1_086_871_614, 2, '1.09B'],
    [202_148_701, 2, '202.1M'],
    [2_500_000_000_000, 2, '2.5T'],
    [12_345, undefined, '12.3K'],
    [999_950, undefined, '1M'],
    [950, undefined, '950'],
    [null, 2, '—'],
  ])('compact %s (%s decimals from a billion) → %s', (value, decimals, expected) => {
    expect(formatCompact(value, decimals)).toBe(expected);
  });

  it('formats confidence and relative volume', () => {
    expect(formatConfidence(0.71)).toBe('71%');
    expect(formatConfidence(null)).toBe('—');
    expect(formatRelativeVolume(2.1)).toBe('2.1x vol');
    expect(formatRelativeVolume(null)).toBeNull();
  });
});

describe('times and labels', () => {
  it('shows New York wall-clock time', () => {
    expect(formatEtTime('2026-11-24T11:37:00+00:00')).toBe('06:37 ET');
    expect(formatEtTime('2026-07-01T13:30:00Z')).toBe('09:30 ET');
    expect(formatEtTime('2026-07-01T04:05:00Z')).toBe('00:05 ET');
  });

  it('maps colours and signals', () => {
    expect(colorClass('blue_neutral')).toBe('blue-neutral');
    expect(colorArrow('dark_green')).toBe('▲');
    expect(colorArrow('light_red')).toBe('▼');
    expect(colorArrow('blue_neutral')).toBe('◆');
    expect(signalLabel('NEUTRAL_CAUTIOUS')).toBe('Neutral / cautious');
  });
});

describe('pageTitle', () => {
  const asOf = '2026-11-24T11:37:00+00:00';
  it.each<[string | null, boolean, string, string]>([
    [null, false, 'connecting', 'SectorLights'],
    [asOf, false, 'connected', '06:37 ET · SectorLights'],
    [asOf, true, 'connected', '⚠ Stale · 06:37 ET · SectorLights'],
    [asOf, false, 'reconnecting', '⚠ Reconnecting · 06:37 ET · SectorLights'],
    [asOf, true, 'offline', '⚠ Stale, Offline · 06:37 ET · SectorLights'],
  ])('%s stale=%s %s → %s', (at, stale, connection, expected) => {
    expect(pageTitle(at, stale, connection)).toBe(expected);
  });
});
