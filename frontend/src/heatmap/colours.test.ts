import { describe, expect, it } from 'vitest';
import { TIMEFRAMES } from '../constants';
import { contrast, luminance, textOn, tileFill, UNKNOWN_FILL } from './colours';

describe('tile colours', () => {
  it.each([
    [0, '1d', '#64748b'],
    [-5, '1d', '#b91c1c'],
    [-50, '1d', '#b91c1c'],
    [5, '1d', '#15803d'],
    [2, '30m', '#15803d'],
    [null, '1d', UNKNOWN_FILL],
    [Number.NaN, '1w', UNKNOWN_FILL],
  ] as const)('a change of %s over %s is %s', (change, timeframe, fill) => {
    expect(tileFill(change, timeframe)).toBe(fill);
  });

  it('grows redder the more a stock fell and greener the more it rose', () => {
    const reds = [-0.5, -1, -2, -4].map((c) => Number.parseInt(tileFill(c, '1d').slice(1, 3), 16));
    const greens = [0.5, 1, 2, 4].map((c) => Number.parseInt(tileFill(c, '1d').slice(3, 5), 16));
    expect(reds).toEqual([...reds].sort((a, b) => a - b));
    expect(new Set(reds).size).toBe(4);
    expect(greens[0]).toBeGreaterThan(0);
    expect(new Set(greens).size).toBe(4);
  });

  it('picks text that reads at 4.5:1 or better on every fill of the scale', () => {
    for (const timeframe of TIMEFRAMES) {
      for (let change = -15; change <= 15; change += 0.25) {
        const fill = tileFill(change, timeframe);
        expect(contrast(fill, textOn(fill))).toBeGreaterThanOrEqual(4.5);
      }
    }
    expect(contrast(UNKNOWN_FILL, textOn(UNKNOWN_FILL))).toBeGreaterThanOrEqual(4.5);
  });

  it.each([
    ['#000000', 0],
    ['#ffffff', 1],
  ])('%s has luminance %d', (colour, value) => {
    expect(luminance(colour)).toBeCloseTo(value, 6);
  });
});
