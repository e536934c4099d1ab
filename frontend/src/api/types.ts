/**
 * Every wire type of the API and of `/ws`, in one place. `schema.d.ts` is generated from the
 * backend's OpenAPI document (`make types`); a type whose schema is named there is an alias of it.
 * The others are still written by hand until the backend names their schema: each says which, so
 * switching it to `Schemas['…']` touches this file only. All `*_pct` values are already in percent.
 */
import type { components } from './schema';

type Schemas = components['schemas'];

// ---- shared vocabulary ----------------------------------------------------------------

export type SectorKey = Schemas['Sector'];

export type SectorColor = 'dark_red' | 'light_red' | 'blue_neutral' | 'light_green' | 'dark_green';

export type Signal =
  | 'PRIME_SHORTING_ENVIRONMENT'
  | 'GOOD_SHORTING_ENVIRONMENT'
  | 'NEUTRAL_CAUTIOUS'
  | 'AVOID_SHORTS'
  | 'DO_NOT_SHORT';

export type Timeframe = '30m' | '1d' | '3d' | '1w';

export type Freshness = 'fresh' | 'aging' | 'stale';

// ---- GET /api/sectors -------------------------------------------------------------------

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

/** Will alias `Schemas['TopStock']`. */
export interface TopStock {
  symbol: string;
  name: string;
  change_pct: number | null;
  relative_volume: number | null;
  rank_score: number | null;
}

/** Will alias `Schemas['SectorCard']`. */
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

/** Will alias `Schemas['SectorGrid']`. */
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

// ---- universe members (stock lookup, sector detail) ----------------------------------------

/** A member's size tier (the backend may add more). */
export type Tier = 'micro_cap' | 'small_cap' | (string & {});

/** One stock of the latest universe. Will alias `Schemas['Constituent']`. */
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

/** A constituent row of `GET /api/sectors/{sector}`. */
export type Constituent = UniverseMember;

// ---- GET /api/sectors/{sector} and its history ---------------------------------------------

/** The sector's own ETF proxies (XL*, PSC*) and how well its members move with them. */
export interface EtfCheck {
  proxies: string[];
  /** Share (0..1) of measured members best correlated with the proxies. */
  agreement: number | null;
  stocks_measured: number;
  /** ETF return per timeframe in percent, when the backend provides it. */
  returns_pct?: Partial<Record<Timeframe, number | null>> | null;
}

/** The card of `GET /api/sectors` plus the extras the detail endpoint carries. */
export interface SectorDetailCard extends SectorResult {
  etf_check?: EtfCheck | null;
  volatility_weight_source?: string;
  factors?: Record<string, unknown>;
  gap_profile?: Record<string, unknown>;
}

/** Will alias `Schemas['SectorDetail']`. */
export interface SectorDetailResponse {
  run_id: string;
  as_of: string;
  data_source: DataSource;
  sector: SectorDetailCard;
  constituent_count: number;
  constituents: Constituent[];
}

export interface HistoryDetail {
  timeframes?: Partial<Record<Timeframe, TimeframeStats>>;
  etf_check?: EtfCheck | null;
  [key: string]: unknown;
}

/** Will alias `Schemas['HistoryEntry']`. */
export interface HistoryEntry {
  timestamp: string;
  run_id: string;
  score: number;
  color: SectorColor;
  signal: Signal;
  confidence: number;
  stock_count: number;
  detail: HistoryDetail | null;
}

/** Entries are newest first as sent by the backend. Will alias `Schemas['SectorHistory']`. */
export interface SectorHistoryResponse {
  sector: SectorKey;
  since: string | null;
  until: string | null;
  limit?: number;
  count?: number;
  history: HistoryEntry[];
}

// ---- GET /api/stocks/{symbol} ---------------------------------------------------------------

export interface StockClassification {
  sector: SectorKey;
  source: string | null;
  confidence: number | null;
  sic_code: number | null;
}

export interface StockSectorCard {
  sector: SectorKey;
  label: string;
  score: number | null;
  color: SectorColor;
  signal: Signal;
  confidence: number | null;
}

export interface StockMetrics {
  returns_pct: Record<Timeframe, number | null>;
  relative_volume: number | null;
  rank_score: number | null;
}

export interface StockTopListEntry {
  sector: SectorKey;
  list: 'top_bullish' | 'top_bearish' | string;
  rank: number;
  change_pct: number | null;
  relative_volume: number | null;
  rank_score: number | null;
}

/** A universe member's lookup. Will alias `Schemas['StockDetail']`. */
export interface StockDetail {
  symbol: string;
  in_universe: true;
  member: UniverseMember;
  classification: StockClassification;
  sector_card: StockSectorCard | null;
  metrics: StockMetrics;
  in_top_list: boolean;
  top_list: StockTopListEntry | null;
  run_id: string;
  as_of: string;
}

// ---- /api/analysis --------------------------------------------------------------------------

export type RunStatus = 'running' | 'succeeded' | 'failed';

/** `POST /api/analysis` (202). Will alias the run-start schema the backend names. */
export interface StartAnalysisResponse {
  run_id: string;
  status: RunStatus;
  stage: string;
  progress_pct: number;
  trigger: string;
  /** True when an in-flight run was joined instead of a new one started. */
  joined: boolean;
}

/** `GET /api/analysis/{run_id}`. Will alias `Schemas['AnalysisRunStatus']`. */
export interface AnalysisRun {
  run_id: string;
  trigger: string;
  status: RunStatus;
  stage: string;
  progress_pct: number;
  provider: string | null;
  started_at: string | null;
  finished_at: string | null;
  as_of: string | null;
  universe_size: number | null;
  error: string | null;
}

export interface ScheduledRun {
  at: string;
  kind: string;
}

/** `GET /api/analysis/latest`. Grid fields are null while no analysis has completed. */
export interface LatestAnalysis {
  run: AnalysisRun;
  last_error: string | null;
  next_scheduled: ScheduledRun[];
  grid_run_id: string | null;
  as_of: string | null;
  age_secs: number | null;
  freshness: Freshness | null;
  recommendation: string;
}

// ---- /ws messages (will alias the backend's WS message models) --------------------------------

/** `analysis_progress`; `stage` ends with "done" or "failed". */
export interface AnalysisProgress {
  run_id: string;
  stage: string;
  percent: number;
  error?: string;
}

/** `significant_move`. */
export interface SignificantMove {
  symbol: string;
  change_pct: number;
  previous_close: number;
  price: number;
  direction: 'up' | 'down';
  sector: SectorKey | null;
}

/** One sector whose score/color changed in the latest analysis run. */
export interface SectorChange {
  sector: SectorKey;
  previous_color: SectorColor | null;
  color: SectorColor;
  previous_score: number | null;
  score: number | null;
}

/** A sector of `sector_update`. */
export interface SectorUpdateEntry extends SectorChange {
  signal: Signal;
  confidence: number | null;
  run_id: string;
  as_of: string;
}

export type TopListSide = 'bullish' | 'bearish';

/** A list of `top_stocks_change`: its names now, which entered and which left since the last run. */
export interface TopStocksChangeEntry {
  sector: SectorKey;
  side: TopListSide;
  symbols: string[];
  entered: string[];
  left: string[];
  stocks: TopStock[];
  run_id: string;
  as_of: string;
}

export interface SectorUpdatePayload {
  run_id: string;
  as_of: string;
  sectors: SectorUpdateEntry[];
}

export interface TopStocksChangePayload {
  run_id: string;
  as_of: string;
  changes: TopStocksChangeEntry[];
}

export type LiveMessage =
  | {
      type: 'snapshot';
      seq: number;
      ts: string;
      /** `moves`: the significant moves of the last half hour, newest first, each with its time. */
      payload: { grid: SectorsResponse | null; moves?: (SignificantMove & { ts: string })[] };
    }
  | { type: 'sector_update'; seq: number; ts: string; payload: SectorUpdatePayload }
  | { type: 'top_stocks_change'; seq: number; ts: string; payload: TopStocksChangePayload }
  | { type: 'significant_move'; seq: number; ts: string; payload: SignificantMove }
  | { type: 'analysis_progress'; seq: number; ts: string; payload: AnalysisProgress & { trigger?: string } }
  | { type: 'heartbeat'; seq: number; ts: string; payload: { clients: number; latest_seq: number } };
