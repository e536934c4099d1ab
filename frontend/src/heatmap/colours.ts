/** Tile colours: a diverging scale around no change, and the text colour that reads on each. */
import type { Timeframe } from '../api/types';

/** The change (percent) drawn at full strength, per timeframe: longer windows move further. */
export const FULL_SCALE_PCT: Record<Timeframe, number> = { '30m': 2, '1d': 5, '3d': 8, '1w': 12 };

type Rgb = readonly [number, number, number];
const NEUTRAL: Rgb = [100, 116, 139];
const DOWN: Rgb = [185, 28, 28];
const UP: Rgb = [21, 128, 61];
export const UNKNOWN_FILL = '#334155';

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

/** The fill of a tile whose change is `changePct` over `timeframe`; unknown change is slate grey. */
export function tileFill(changePct: number | null, timeframe: Timeframe): string {
  if (changePct === null || !Number.isFinite(changePct)) return UNKNOWN_FILL;
  const strength = Math.min(1, Math.abs(changePct) / FULL_SCALE_PCT[timeframe]);
  const end = changePct < 0 ? DOWN : UP;
  return hex([0, 1, 2].map((i) => NEUTRAL[i]! + (end[i]! - NEUTRAL[i]!) * strength) as unknown as Rgb);
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of a `#rrggbb` colour. */
export function luminance(colour: string): number {
  const value = Number.parseInt(colour.slice(1), 16);
  const r = (value >> 16) & 255;
  const g = (value >> 8) & 255;
  const b = value & 255;
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Black or white, whichever reads better on `fill` (at least 4.5:1 for any fill). */
export function textOn(fill: string): '#000000' | '#ffffff' {
  return contrast(fill, '#000000') >= contrast(fill, '#ffffff') ? '#000000' : '#ffffff';
}
