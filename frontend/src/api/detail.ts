/** Wire types and fetchers of `GET /api/sectors/{sector}` and `GET /api/sectors/{sector}/history`. */
import { ApiError, isAbort, isRecord, SECTORS_URL, toApiError } from './client';
import type {
  DataSource,
  SectorColor,
  SectorKey,
  SectorResult,
  Signal,
  Tier,
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

export type { Tier };
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

async function getJson(url: string, signal?: AbortSignal): Promise<{ body: unknown; status: number }> {
  let response: Response;
  try {
    response = await globalThis.fetch(url, { headers: { Accept: 'application/json' }, signal });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw toApiError(error);
  }
  let body: unknown = null;
  try {
    body = (await response.json()) as unknown;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail =
      isRecord(body) && typeof body.detail === 'string' && body.detail.trim() !== ''
        ? body.detail
        : null;
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    throw new ApiError(detail ?? `HTTP ${response.status}${statusText}`, response.status, detail);
  }
  return { body, status: response.status };
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

/** `GET /api/sectors/{sector}`. Throws ApiError on network failure, non-2xx or a malformed body. */
export async function fetchSectorDetail(
  sector: SectorKey,
  signal?: AbortSignal,
): Promise<SectorDetailResponse> {
  const { body, status } = await getJson(sectorDetailUrl(sector), signal);
  if (!looksLikeDetail(body)) {
    throw new ApiError('Malformed sector detail from the server', status);
  }
  return body;
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
  const { body, status } = await getJson(sectorHistoryUrl(sector, options), signal);
  if (!isRecord(body)) throw new ApiError('Malformed sector history from the server', status);
  const entries = Array.isArray(body.history)
    ? body.history
    : Array.isArray(body.entries)
      ? body.entries
      : null;
  if (entries === null) throw new ApiError('Malformed sector history from the server', status);
  return { ...(body as unknown as SectorHistoryResponse), history: entries as HistoryEntry[] };
}
