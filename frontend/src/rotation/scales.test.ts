import { describe, expect, it } from 'vitest';
import { halfRange, linear, placeLabels, quadrantOf, tailPath, ticks } from './scales';

const at = (rs_ratio: number, rs_momentum: number) => ({ rs_ratio, rs_momentum });

describe('halfRange', () => {
  it.each([
    [[], 1],
    [[at(100, 100)], 1],
    [[at(100.5, 99.7)], 1],
    // The furthest point plus a tenth, rounded up to a half: 2.3 x 1.1 = 2.53 → 3.
    [[at(102.3, 100), at(99.5, 101)], 3],
    [[at(100, 96.2)], 4.5],
    [[at(101.8, 98.9)], 2],
  ])('%o → %d', (points, expected) => {
    expect(halfRange(points)).toBe(expected);
  });

  it('holds every point inside the square, with room to spare', () => {
    const points = [at(103.7, 98.2), at(97.9, 101.1), at(100.2, 104.05)];
    const half = halfRange(points);
    for (const point of points) {
      expect(Math.abs(point.rs_ratio - 100)).toBeLessThan(half);
      expect(Math.abs(point.rs_momentum - 100)).toBeLessThan(half);
    }
  });
});

describe('linear', () => {
  it('maps the ends and the middle, and runs backwards for the y axis', () => {
    const x = linear([98, 102], [40, 440]);
    expect([x(98), x(100), x(102), x(101)]).toEqual([40, 240, 440, 340]);
    const y = linear([98, 102], [414, 14]);
    expect([y(98), y(100), y(102), y(99)]).toEqual([414, 214, 14, 314]);
  });
});

describe('ticks', () => {
  it.each([
    [1, [99, 99.25, 99.5, 99.75, 100, 100.25, 100.5, 100.75, 101]],
    [2, [98, 98.5, 99, 99.5, 100, 100.5, 101, 101.5, 102]],
    [3, [97, 98, 99, 100, 101, 102, 103]],
    [4.5, [96, 98, 100, 102, 104]],
    [7, [94, 96, 98, 100, 102, 104, 106]],
  ])('half range %d → %o', (half, expected) => {
    expect(ticks(half)).toEqual(expected);
  });

  it('always includes 100 and stays inside the range', () => {
    for (const half of [1, 1.5, 2.5, 3.5, 6, 12.5, 40]) {
      const values = ticks(half);
      expect(values).toContain(100);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(100 - half);
      expect(Math.max(...values)).toBeLessThanOrEqual(100 + half);
      expect(values.length).toBeLessThanOrEqual(9);
    }
  });
});

describe('quadrantOf', () => {
  it.each([
    [101, 101, 'leading'],
    [101, 99, 'weakening'],
    [99, 99, 'lagging'],
    [99, 101, 'improving'],
    [100, 100, 'leading'],
    [100, 99.99, 'weakening'],
    [99.99, 100, 'improving'],
  ] as const)('(%d, %d) → %s', (ratio, momentum, quadrant) => {
    expect(quadrantOf(ratio, momentum)).toBe(quadrant);
  });
});

describe('tailPath', () => {
  it('moves to the first point and draws to the others', () => {
    expect(tailPath([[10, 20], [30.25, 40], [50, 60.04]])).toBe('M10.0 20.0 L30.3 40.0 L50.0 60.0');
    expect(tailPath([[1, 2]])).toBe('M1.0 2.0');
    expect(tailPath([])).toBe('');
  });
});

describe('placeLabels', () => {
  const box = { gap: 12, width: 60, top: 10, bottom: 400 };

  it('leaves labels that do not crowd each other where they are', () => {
    const labels = [
      { key: 'a', x: 100, y: 100 },
      { key: 'b', x: 300, y: 102 },
      { key: 'c', x: 100, y: 200 },
    ];
    expect(placeLabels(labels, box)).toEqual(labels);
  });

  it('fans crowding labels out to the nearest free height, each keeping its x', () => {
    const placed = placeLabels(
      [
        { key: 'b', x: 105, y: 101 },
        { key: 'a', x: 100, y: 100 },
        { key: 'c', x: 110, y: 100 },
      ],
      box,
    );
    expect(placed).toEqual([
      { key: 'b', x: 105, y: 125 },
      { key: 'a', x: 100, y: 100 },
      { key: 'c', x: 110, y: 112 },
    ]);
  });

  it('moves a label up when below is the edge of the plot', () => {
    const placed = placeLabels(
      [
        { key: 'a', x: 100, y: 400 },
        { key: 'b', x: 120, y: 399 },
      ],
      box,
    );
    expect(placed.map((label) => label.y)).toEqual([376, 399]);
  });

  it('keeps labels inside the plot', () => {
    const placed = placeLabels(
      [
        { key: 'high', x: 10, y: -5 },
        { key: 'low', x: 200, y: 480 },
      ],
      box,
    );
    expect(placed.map((label) => label.y)).toEqual([10, 400]);
  });
});
