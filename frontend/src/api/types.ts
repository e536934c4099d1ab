/** Wire types of `GET /api/sectors`. All `*_pct` values are already in percent. */

export type SectorKey =
  | 'technology'
  | 'healthcare'
  | 'energy'
  | 'financial'
  | 'consumer_discretionary'
  | 'industrials'
  | 'materials'
  | 'utilities';

export type SectorColor = 'dark_red' | 'light_red' | 'blue_neutral' | 'light_green' | 'dark_green';

export type Signal =
  | 'PRIME_SHORTING_ENVIRONMENT'
  | 'GOOD_SHORTING_ENVIRONMENT'
  | 'NEUTRAL_CAUTIOUS'
  | 'AVOID_SHORTS'
  | 'DO_NOT_SHORT';

export type Timeframe = '30m' | '1d' | '3d' | '1w';

export type Freshness = 'fresh' | 'aging' | 'stale';

export interface DataSource {
  provider: string;
  simulated: boolean;
  label: string;
}

export interface Benchmark {
  symbol: string;
  returns_pct: Record<Timeframe, number | null>;
}

export interface TimeframeStats {
  return_pct: number | null;
  plain_mean_pct: number | null;
  adjusted_return_pct: number | null;
  alpha_pct: number | null;
  score: number | null;
  color: SectorColor;
}

export interface TopStock {
  symbol: string;
  name: string;
  change_pct: number | null;
  relative_volume: number | null;
  rank_score: number | null;
}

export interface SectorResult {
  sector: SectorKey;
  label: string;
  etf_proxy: string;
  score: number | null;
  color: SectorColor;
  signal: Signal;
  confidence: number | null;
  stock_count: number;
  volatility_weight: number | null;
  timeframes: Record<Timeframe, TimeframeStats>;
  top_bullish: TopStock[];
  top_bearish: TopStock[];
  bullish_note: string | null;
  bearish_note: string | null;
}

export interface SectorsResponse {
  run_id: string;
  as_of: string;
  generated_at: string;
  age_secs: number | null;
  freshness: Freshness;
  /** What to do about the grid's age (serve, offer a refresh, recommend a fresh run). */
  recommendation?: string;
  stale: boolean;
  data_source: DataSource;
  benchmark: Benchmark;
  universe_size: number;
  sectors: SectorResult[];
}

/** A member's size tier (the backend may add more). */
export type Tier = 'micro_cap' | 'small_cap' | (string & {});

/** One stock of the latest universe, as the stock lookup and the sector detail give it. */
export interface UniverseMember {
  symbol: string;
  name: string;
  market_cap: number | null;
  avg_daily_volume: number | null;
  sector: SectorKey;
  volatility_multiplier: number | null;
  tier: Tier | null;
  exchange: string | null;
  float_shares: number | null;
  sic_code: number | null;
  confidence: number | null;
  classification_source: string | null;
  change_30m_pct: number | null;
  change_1d_pct: number | null;
  change_3d_pct: number | null;
  change_1w_pct: number | null;
  relative_volume: number | null;
  rank_score: number | null;
  last_updated?: string | null;
  run_id?: string | null;
}
