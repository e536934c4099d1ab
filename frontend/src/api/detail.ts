/** Fetchers of `GET /api/sectors/{sector}` and `GET /api/sectors/{sector}/history`. */
import { isRecord, requestJson, SECTORS_URL } from './client';
import type { SectorDetailResponse, SectorHistory, SectorKey } from './types';

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

function looksLikeHistory(body: unknown): body is SectorHistory {
  return isRecord(body) && Array.isArray(body.history);
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

/** `GET /api/sectors/{sector}/history?limit=N`, newest first. Throws ApiError like `fetchSectorDetail`. */
export function fetchSectorHistory(
  sector: SectorKey,
  options: HistoryOptions = {},
  signal?: AbortSignal,
): Promise<SectorHistory> {
  return requestJson<SectorHistory>(sectorHistoryUrl(sector, options), { signal }, looksLikeHistory, {
    malformedMessage: 'Malformed sector history from the server',
  });
}
