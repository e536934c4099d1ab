import type {
  ColourHistory,
  ColourRecord,
  SectorColor,
  SectorKey,
  SectorResult,
  SectorsResponse,
  Signal,
  TimeframeResult,
} from '../api/types';
import { SECTOR_ORDER } from '../constants';

export const SIGNAL_FOR_COLOR: Record<SectorColor, Signal> = {
  dark_red: 'PRIME_SHORTING_ENVIRONMENT',
  light_red: 'GOOD_SHORTING_ENVIRONMENT',
  blue_neutral: 'NEUTRAL_CAUTIOUS',
  light_green: 'AVOID_SHORTS',
  dark_green: 'DO_NOT_SHORT',
};

export function makeTimeframe(overrides: Partial<TimeframeResult> = {}): TimeframeResult {
  return {
    return_pct: 0.4,
    plain_mean_pct: 0.3,
    adjusted_return_pct: 0.52,
    alpha_pct: 0.47,
    score: 0.21,
    color: 'light_green',
    ...overrides,
  };
}

function titleCase(key: SectorKey): string {
  return key
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** A timeframe without a score: every figure null, and the reason the page shows instead. */
export function missingTimeframe(reason: string): TimeframeResult {
  return {
    return_pct: null,
    plain_mean_pct: null,
    adjusted_return_pct: null,
    alpha_pct: null,
    score: null,
    color: null,
    missing_reason: reason,
  };
}

export function makeSector(
  sector: SectorKey = 'technology',
  overrides: Partial<SectorResult> = {},
): SectorResult {
  return {
    sector,
    label: titleCase(sector),
    etf_proxy: 'XLK',
    score: 0.62,
    color: 'dark_green',
    signal: 'DO_NOT_SHORT',
    confidence: 0.71,
    stock_count: 212,
    insufficient_data: false,
    volatility_weight: 1.3,
    timeframes: {
      '30m': makeTimeframe(),
      '1d': makeTimeframe({
        return_pct: 3.6,
        plain_mean_pct: 3.6,
        adjusted_return_pct: 4.7,
        alpha_pct: 3.5,
        score: 0.62,
        color: 'dark_green',
      }),
      '3d': makeTimeframe({ return_pct: -1.25, alpha_pct: -0.8, color: 'light_red' }),
      '1w': makeTimeframe({ return_pct: 0, alpha_pct: null, color: 'blue_neutral' }),
    },
    top_bullish: [
      { symbol: 'SOUN', name: 'SoundHound AI', change_pct: 8.2, relative_volume: 2.1, rank_score: 8.3 },
      { symbol: 'BBAI', name: 'BigBear.ai', change_pct: 5.04, relative_volume: null, rank_score: 5.0 },
    ],
    top_bearish: [],
    bullish_note: null,
    bearish_note: 'None in bullish sector — avoid shorts',
    volatility_weight_source: 'static',
    ...overrides,
  };
}

export const AS_OF = '2026-11-24T11:37:00+00:00';

export function makeResponse(overrides: Partial<SectorsResponse> = {}): SectorsResponse {
  return {
    run_id: '3f2a9c',
    as_of: AS_OF,
    generated_at: '2026-11-24T11:37:02+00:00',
    age_secs: 125,
    freshness: 'fresh',
    recommendation: 'Analysis is current.',
    stale: false,
    last_error: null,
    current_session: '2026-11-24',
    data_source: { provider: 'simulated', simulated: true, label: 'Simulated data' },
    benchmark: { symbol: 'IWM', returns_pct: { '30m': 0.05, '1d': 1.2, '3d': -0.4, '1w': 2.0 } },
    universe_size: 1480,
    funnel: [
      { stage: 'listed', remaining: 6120 },
      { stage: 'market_cap', remaining: 1480 },
    ],
    data_quality: { rejected_rows: 0, by_endpoint: {}, examples: [] },
    sectors: SECTOR_ORDER.map((key) => makeSector(key)),
    ...overrides,
  };
}

/** A JSON response as the backend sends it. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

const NO_INTERVAL = { low: null, high: null };

function share(value: number, total: number): ColourRecord['up'] {
  return { count: Math.round(value * total), total, share: value, wilson: NO_INTERVAL, bootstrap: NO_INTERVAL };
}

/** A colour's record: `up` is the share of next sessions up (the rest went down). */
export function makeColourRecord(
  color: SectorColor,
  up: number,
  overrides: Partial<ColourRecord> = {},
): ColourRecord {
  const leans = color.endsWith('red') ? 'down' : color.endsWith('green') ? 'up' : null;
  return {
    color,
    leans,
    sessions: 200,
    up: share(up, 600),
    down: share(1 - up, 600),
    mean_next_return: { cells: 600, mean_pct: 0.05, bootstrap: NO_INTERVAL },
    edge: 'no',
    reason: 'by the rule',
    ...overrides,
  };
}

/** A colour history of the S&P 600 window with no edge anywhere unless `records` says otherwise. */
export function makeColourHistory(records: Partial<Record<SectorColor, ColourRecord>> = {}): ColourHistory {
  const colors: SectorColor[] = ['dark_red', 'light_red', 'blue_neutral', 'light_green', 'dark_green'];
  const ups: Record<SectorColor, number> = {
    dark_red: 0.466,
    light_red: 0.51,
    blue_neutral: 0.518,
    light_green: 0.547,
    dark_green: 0.554,
  };
  return {
    label: 'S&P 600 small caps',
    first_session: '2016-01-04',
    last_session: '2017-11-09',
    sessions: 469,
    next_return: 'equal-weight',
    score_rules: 'sturdy',
    seed: 14,
    bootstrap_resamples: 2000,
    rule: { min_sessions: 50, coin: 0.5, text: 'A colour has an edge when …' },
    baseline: { up: share(0.522, 3177), down: share(0.478, 3177) },
    colors: colors.map((color) => records[color] ?? makeColourRecord(color, ups[color])),
    command: 'sectorlights backtest …',
  };
}
