/**
 * The rotation graph's geometry, pure: the square around (100, 100) that holds every point, the
 * linear scales onto the drawing, the tick values, a tail's path and labels nudged apart.
 */
import type { Quadrant } from '../api/types';

export const CENTRE = 100;
/** The least the graph shows either side of 100, so a quiet day is not blown up to fill it. */
export const MIN_HALF_RANGE = 1;

export interface Figures {
  rs_ratio: number;
  rs_momentum: number;
}

/** How far either side of 100 both axes reach: the furthest point plus a tenth, in steps of 0.5. */
export function halfRange(points: readonly Figures[]): number {
  let furthest = 0;
  for (const point of points) {
    furthest = Math.max(furthest, Math.abs(point.rs_ratio - CENTRE), Math.abs(point.rs_momentum - CENTRE));
  }
  return Math.max(MIN_HALF_RANGE, Math.ceil(furthest * 1.1 * 2) / 2);
}

/** Maps [from0, from1] onto [to0, to1] (either may run backwards, as the y axis does). */
export function linear([from0, from1]: readonly [number, number], [to0, to1]: readonly [number, number]) {
  const slope = (to1 - to0) / (from1 - from0);
  return (value: number): number => to0 + (value - from0) * slope;
}

const STEPS = [0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 50];

/** Tick values from 100 - half to 100 + half, at most `perSide` either side of 100, 100 included. */
export function ticks(half: number, perSide = 4): number[] {
  const step = STEPS.find((candidate) => half / candidate <= perSide) ?? half / perSide;
  const count = Math.floor(half / step + 1e-9);
  const values: number[] = [];
  for (let index = -count; index <= count; index += 1) values.push(Number((CENTRE + index * step).toFixed(4)));
  return values;
}

/** The quadrant of a point; 100 counts as the strong side of both axes, as the server reads it. */
export function quadrantOf(ratio: number, momentum: number): Quadrant {
  if (ratio >= CENTRE) return momentum >= CENTRE ? 'leading' : 'weakening';
  return momentum >= CENTRE ? 'improving' : 'lagging';
}

/** An SVG path through the points in order ("M x y L x y …"); empty without points. */
export function tailPath(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`).join(' ');
}

export interface Label {
  key: string;
  x: number;
  y: number;
}

/**
 * Labels beside their dots, each moved up or down (never sideways) to the nearest height where no
 * label placed before it that overlaps it horizontally is closer than `gap`, within [top, bottom].
 * Placed top to bottom; a crowd of sectors ends up fanned out around its spot.
 */
export function placeLabels(
  labels: readonly Label[],
  { gap, width, top, bottom }: { gap: number; width: number; top: number; bottom: number },
): Label[] {
  const placed: Label[] = [];
  const clamp = (y: number) => Math.min(Math.max(y, top), bottom);
  const free = (x: number, y: number) =>
    placed.every((other) => Math.abs(other.x - x) >= width || Math.abs(other.y - y) >= gap);
  for (const label of [...labels].sort((a, b) => a.y - b.y || a.key.localeCompare(b.key))) {
    const wanted = clamp(label.y);
    let y = wanted;
    for (let step = 1; !free(label.x, y) && step <= labels.length; step += 1) {
      const below = clamp(wanted + step * gap);
      const above = clamp(wanted - step * gap);
      y = free(label.x, below) ? below : free(label.x, above) ? above : y;
    }
    placed.push({ ...label, y });
  }
  const order = new Map(labels.map((label, index) => [label.key, index]));
  return placed.sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
}
