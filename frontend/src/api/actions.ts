/** Stock lookup and analysis-run requests. Every failure is thrown as an ApiError (abort errors pass through). */

import { ApiError, detailOf, errorOf, isRecord, readJson, requestJson, send } from './client';
import type { AnalysisRunStatus, AnalysisStarted, LatestAnalysis, StockDetail } from './types';

export { RateLimitedError } from './client';

export const STOCKS_URL = '/api/stocks';
export const ANALYSIS_URL = '/api/analysis';

/** A symbol the backend accepts: 1–10 characters of A-Z, 0-9, "." and "-". */
export const SYMBOL_PATTERN = /^[A-Z0-9.-]{1,10}$/;

/** A member, tagged so it can be told apart from an exclusion. */
export type StockFound = StockDetail & { excluded: false };

/** A 404 of the lookup: excluded by a filter (`reason` from X-Exclusion-Reason), or not listed at all (`reason` null). */
export interface StockExcluded {
  excluded: true;
  symbol: string;
  /** The filter that excluded the stock ("market_cap", "exchange", ...); null when it is not listed. */
  reason: string | null;
  /** The server's message. */
  message: string;
}

export type StockLookupResult = StockFound | StockExcluded;

/** Stock and analysis requests throw a 429 as RateLimitedError. */
const RATE_LIMITED = { rateLimited: true } as const;

const hasRunId = (body: unknown): boolean => isRecord(body) && typeof body.run_id === 'string';

function looksLikeStock(body: unknown): body is StockDetail {
  return isRecord(body) && typeof body.symbol === 'string' && isRecord(body.member) && isRecord(body.metrics);
}

/**
 * `GET /api/stocks/{symbol}`: the member, or `{excluded: true, reason, message}` for a 404 (reason
 * from X-Exclusion-Reason, null when the stock is not listed). Other failures throw ApiError.
 */
export async function fetchStock(symbol: string, signal?: AbortSignal): Promise<StockLookupResult> {
  const wanted = symbol.trim().toUpperCase();
  const response = await send(`${STOCKS_URL}/${encodeURIComponent(wanted)}`, { signal });
  const body = await readJson(response);
  if (response.status === 404) {
    const reason = response.headers.get('X-Exclusion-Reason');
    const detail = detailOf(body);
    return {
      excluded: true,
      symbol: wanted,
      reason: reason && reason.trim() !== '' ? reason.trim() : null,
      message: detail ?? `${wanted} is not listed in the latest analysis`,
    };
  }
  if (!response.ok) throw errorOf(response, body, RATE_LIMITED);
  if (!looksLikeStock(body)) throw new ApiError('Malformed response from the server', response.status);
  return { ...body, excluded: false };
}

/** `POST /api/analysis`: starts a run or joins the one in flight. 429 throws RateLimitedError. */
export function startAnalysis(signal?: AbortSignal): Promise<AnalysisStarted> {
  return requestJson<AnalysisStarted>(ANALYSIS_URL, { method: 'POST', signal }, hasRunId, RATE_LIMITED);
}

/** `GET /api/analysis/{run_id}`. */
export function fetchRun(runId: string, signal?: AbortSignal): Promise<AnalysisRunStatus> {
  return requestJson<AnalysisRunStatus>(
    `${ANALYSIS_URL}/${encodeURIComponent(runId)}`,
    { signal },
    (body) => hasRunId(body) && isRecord(body) && typeof body.status === 'string',
    RATE_LIMITED,
  );
}

/** `GET /api/analysis/latest` (404 before any run: ApiError with the server's message). */
export function fetchLatestAnalysis(signal?: AbortSignal): Promise<LatestAnalysis> {
  return requestJson<LatestAnalysis>(
    `${ANALYSIS_URL}/latest`,
    { signal },
    (body) => isRecord(body) && isRecord(body.run) && typeof body.recommendation === 'string',
    RATE_LIMITED,
  );
}
