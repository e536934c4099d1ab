/** Wire types and fetchers of `GET /api/sectors/{sector}` and `GET /api/sectors/{sector}/history`. */
import { isRecord, requestJson, SECTORS_URL } from './client';
import type {
  DataSource,
  SectorColor,
  SectorKey,
  SectorResult,
  Signal,
  Timeframe,
  TimeframeStats,
  UniverseMember,
} from './types';

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

/** A constituent row of `GET /api/sectors/{sector}`. */
export type Constituent = UniverseMember;

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

/** Entries are newest first as sent by the backend. */
export interface SectorHistoryResponse {
  sector: SectorKey;
  since: string | null;
  until: string | null;
  limit?: number;
  count?: number;
  history: HistoryEntry[];
}

export interface HistoryOptions {
  limit?: number;
}

function looksLikeDetail(body: unknown): body is SectorDetailResponse {
  return (
    isRecord(body) &&
    typeof body.as_of === 'string' &&
    isRecord(body.sector) &&
    typeof body.sector.sector === 'string' &&
    Array.isArray(body.constituents)
  );
}

export function sectorDetailUrl(sector: SectorKey): string {
  return `${SECTORS_URL}/${encodeURIComponent(sector)}`;
}

export function sectorHistoryUrl(sector: SectorKey, { limit }: HistoryOptions = {}): string {
  const query = limit === undefined ? '' : `?limit=${encodeURIComponent(String(limit))}`;
  return `${sectorDetailUrl(sector)}/history${query}`;
}

/** The entries of a history body, sent under `history` or `entries`; null when there are none. */
function historyEntries(body: unknown): unknown[] | null {
  if (!isRecord(body)) return null;
  if (Array.isArray(body.history)) return body.history;
  return Array.isArray(body.entries) ? body.entries : null;
}

/** `GET /api/sectors/{sector}`. Throws ApiError on network failure, non-2xx or a malformed body. */
export function fetchSectorDetail(
  sector: SectorKey,
  signal?: AbortSignal,
): Promise<SectorDetailResponse> {
  return requestJson<SectorDetailResponse>(sectorDetailUrl(sector), { signal }, looksLikeDetail, {
    malformedMessage: 'Malformed sector detail from the server',
  });
}

/**
 * `GET /api/sectors/{sector}/history?limit=N`. Accepts the entries under `history` or `entries`
 * and normalises them to `history`. Throws ApiError like `fetchSectorDetail`.
 */
export async function fetchSectorHistory(
  sector: SectorKey,
  options: HistoryOptions = {},
  signal?: AbortSignal,
): Promise<SectorHistoryResponse> {
  const body = await requestJson<Record<string, unknown>>(
    sectorHistoryUrl(sector, options),
    { signal },
    (value) => historyEntries(value) !== null,
    { malformedMessage: 'Malformed sector history from the server' },
  );
  return { ...(body as unknown as SectorHistoryResponse), history: historyEntries(body) as HistoryEntry[] };
}
