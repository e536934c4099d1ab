/**
 * Squarified treemap layout (Bruls, Huizing and van Wijk, 2000): items in decreasing size fill rows
 * along the shorter side, a row closed when the next item would worsen its worst aspect ratio. Each
 * tile's area is its share of the bounds; items of zero, negative or unknown size get no tile.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tile<T> extends Rect {
  item: T;
}

interface Sized<T> {
  item: T;
  area: number;
}

/** The worst aspect ratio (>= 1) of a row of `areas` (summing to `sum`) laid along a side of `side`. */
function worst(sum: number, largest: number, smallest: number, side: number): number {
  const side2 = side * side;
  const sum2 = sum * sum;
  return Math.max((side2 * largest) / sum2, sum2 / (side2 * smallest));
}

/** Lays `row` along the shorter side of `rect`; returns what is left of `rect`. */
function layoutRow<T>(row: Sized<T>[], sum: number, rect: Rect, out: Tile<T>[]): Rect {
  if (rect.width >= rect.height) {
    // A column down the left edge.
    const width = rect.height > 0 ? sum / rect.height : 0;
    let y = rect.y;
    for (const { item, area } of row) {
      const height = width > 0 ? area / width : 0;
      out.push({ item, x: rect.x, y, width, height });
      y += height;
    }
    return { x: rect.x + width, y: rect.y, width: Math.max(0, rect.width - width), height: rect.height };
  }
  // A row across the top edge.
  const height = rect.width > 0 ? sum / rect.width : 0;
  let x = rect.x;
  for (const { item, area } of row) {
    const width = height > 0 ? area / height : 0;
    out.push({ item, x, y: rect.y, width, height });
    x += width;
  }
  return { x: rect.x, y: rect.y + height, width: rect.width, height: Math.max(0, rect.height - height) };
}

export function squarify<T>(items: readonly T[], size: (item: T) => number | null, bounds: Rect): Tile<T>[] {
  const known = items
    .map((item) => ({ item, value: size(item) }))
    .filter((entry): entry is { item: T; value: number } => entry.value !== null && Number.isFinite(entry.value) && entry.value > 0);
  const total = known.reduce((sum, entry) => sum + entry.value, 0);
  const area = bounds.width * bounds.height;
  if (known.length === 0 || total <= 0 || area <= 0) return [];
  const sized: Sized<T>[] = known
    .map(({ item, value }) => ({ item, area: (value / total) * area }))
    .sort((a, b) => b.area - a.area);

  const out: Tile<T>[] = [];
  let rect = { ...bounds };
  let row: Sized<T>[] = [];
  let rowSum = 0;
  for (const next of sized) {
    const side = Math.min(rect.width, rect.height);
    if (row.length > 0) {
      // Sorted descending: the row's largest is its first, its smallest is the candidate.
      const current = worst(rowSum, row[0]!.area, row[row.length - 1]!.area, side);
      const withNext = worst(rowSum + next.area, row[0]!.area, next.area, side);
      if (withNext > current) {
        rect = layoutRow(row, rowSum, rect, out);
        row = [];
        rowSum = 0;
      }
    }
    row.push(next);
    rowSum += next.area;
  }
  if (row.length > 0) layoutRow(row, rowSum, rect, out);
  return out;
}

/** `rect` shrunk by `top` at the top and `pad` on every side (never below zero). */
export function inset(rect: Rect, pad: number, top = 0): Rect {
  return {
    x: rect.x + pad,
    y: rect.y + pad + top,
    width: Math.max(0, rect.width - 2 * pad),
    height: Math.max(0, rect.height - 2 * pad - top),
  };
}
