import { describe, expect, it } from 'vitest';
import { squarify, type Rect, type Tile } from './treemap';
import { layoutHeatmap, mapHeight, tileText } from './layout';
import type { HeatmapSector } from '../api/types';

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const EPS = 1e-6;

function overlap(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > EPS && height > EPS ? width * height : 0;
}

function checkLayout(values: number[], bounds: Rect, tiles: Tile<number>[]): void {
  const positive = values.filter((value) => value > 0);
  expect(tiles).toHaveLength(positive.length);
  const total = positive.reduce((a, b) => a + b, 0);
  const area = bounds.width * bounds.height;
  for (const tile of tiles) {
    // Area proportional to value.
    expect(tile.width * tile.height).toBeCloseTo((tile.item / total) * area, 4);
    // Inside the bounds.
    expect(tile.x).toBeGreaterThanOrEqual(bounds.x - EPS);
    expect(tile.y).toBeGreaterThanOrEqual(bounds.y - EPS);
    expect(tile.x + tile.width).toBeLessThanOrEqual(bounds.x + bounds.width + 1e-4);
    expect(tile.y + tile.height).toBeLessThanOrEqual(bounds.y + bounds.height + 1e-4);
  }
  for (let i = 0; i < tiles.length; i += 1) {
    for (let j = i + 1; j < tiles.length; j += 1) expect(overlap(tiles[i]!, tiles[j]!)).toBe(0);
  }
  // The tiles cover the bounds.
  expect(tiles.reduce((sum, tile) => sum + tile.width * tile.height, 0)).toBeCloseTo(area, 3);
}

describe('squarify', () => {
  it('lays the paper’s example (6, 6, 4, 3, 2, 2, 1 on 6 x 4) as the paper does', () => {
    const tiles = squarify([6, 6, 4, 3, 2, 2, 1], (v) => v, { x: 0, y: 0, width: 6, height: 4 });
    const at = tiles.map((t) => [t.item, +t.x.toFixed(3), +t.y.toFixed(3), +t.width.toFixed(3), +t.height.toFixed(3)]);
    expect(at).toEqual([
      [6, 0, 0, 3, 2],
      [6, 0, 2, 3, 2],
      [4, 3, 0, 1.714, 2.333],
      [3, 4.714, 0, 1.286, 2.333],
      [2, 3, 2.333, 1.2, 1.667],
      [2, 4.2, 2.333, 1.2, 1.667],
      [1, 5.4, 2.333, 0.6, 1.667],
    ]);
  });

  it.each([
    ['nothing', [], 0],
    ['only zero and unknown sizes', [0, -1, Number.NaN], 0],
    ['one item', [5], 1],
    ['one known among unknowns', [0, 7, Number.NaN], 1],
  ])('handles %s', (_name, values, count) => {
    const tiles = squarify(values, (v) => v, { x: 0, y: 0, width: 100, height: 50 });
    expect(tiles).toHaveLength(count);
    if (count === 1) expect(tiles[0]).toMatchObject({ x: 0, y: 0, width: 100, height: 50 });
  });

  it('gives no tile to an item whose size is null', () => {
    const tiles = squarify([{ v: 3 }, { v: null }], (item) => item.v, { x: 0, y: 0, width: 10, height: 10 });
    expect(tiles.map((tile) => tile.item.v)).toEqual([3]);
  });

  it('keeps areas proportional, inside the bounds, without overlaps, for random inputs', () => {
    const next = random(20261204);
    for (let run = 0; run < 80; run += 1) {
      const count = 1 + Math.floor(next() * 60);
      const values = Array.from({ length: count }, () => (next() < 0.1 ? 0 : next() ** 3 * 2e9));
      const bounds = { x: next() * 50, y: next() * 50, width: 50 + next() * 1200, height: 50 + next() * 800 };
      checkLayout(values, bounds, squarify(values, (v) => v, bounds));
    }
  });

  it('keeps tiles far squarer than slicing would', () => {
    const next = random(7);
    const values = Array.from({ length: 40 }, () => 1 + next() * 9);
    const tiles = squarify(values, (v) => v, { x: 0, y: 0, width: 1000, height: 600 });
    const ratios = tiles.map((t) => Math.max(t.width / t.height, t.height / t.width));
    expect(Math.max(...ratios)).toBeLessThan(4);
  });
});

function sector(key: string, sizes: (number | null)[]): HeatmapSector {
  const members = sizes.map((size, i) => ({
    symbol: `${key}${i}`,
    name: `${key} ${i}`,
    market_cap: size ?? 1,
    float_shares: size,
    size_value: size,
    change_pct: i - 1,
  }));
  return {
    sector: key as HeatmapSector['sector'],
    label: key,
    color: 'blue_neutral',
    signal: 'NEUTRAL_CAUTIOUS',
    change_pct: 0.5,
    missing_reason: null,
    size_total: sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0),
    members,
  };
}

describe('layoutHeatmap', () => {
  it('puts every sized member inside its own sector’s tile, under its title', () => {
    const sectors = [sector('energy', [50, 30, null, 20]), sector('technology', [100, 60])];
    const layout = layoutHeatmap(sectors, { x: 0, y: 0, width: 900, height: 500 });
    expect(layout.members.map((box) => box.member.symbol).sort()).toEqual(['energy0', 'energy1', 'energy3', 'technology0', 'technology1']);
    for (const box of layout.members) {
      const home = layout.sectors.find((s) => s.sector.sector === box.sector.sector)!;
      expect(box.x).toBeGreaterThanOrEqual(home.x);
      expect(box.y).toBeGreaterThanOrEqual(home.y + (home.titled ? 18 : 0));
      expect(box.x + box.width).toBeLessThanOrEqual(home.x + home.width + 1e-6);
      expect(box.y + box.height).toBeLessThanOrEqual(home.y + home.height + 1e-6);
    }
    // The sectors' areas follow their totals (100 of 260 for energy).
    const energy = layout.sectors.find((s) => s.sector.sector === 'energy')!;
    expect((energy.width * energy.height) / (900 * 500)).toBeCloseTo(100 / 260, 6);
  });

  it.each([
    [{ width: 20, height: 40 }, 'none'],
    [{ width: 40, height: 15 }, 'none'],
    [{ width: 40, height: 20 }, 'symbol'],
    [{ width: 40, height: 30 }, 'both'],
  ] as const)('a %o tile shows %s', (size, shows) => {
    expect(tileText({ x: 0, y: 0, ...size })).toBe(shows);
  });

  it.each([
    [390, 507],
    [800, 448],
    [1400, 640],
    [620, 360],
  ])('a %i px wide map is %i px tall', (width, height) => {
    expect(mapHeight(width)).toBe(height);
  });
});
