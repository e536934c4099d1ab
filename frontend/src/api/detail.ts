/** Wire types and fetchers of `GET /api/sectors/{sector}` and `GET /api/sectors/{sector}/history`. */
import { isRecord, requestJson, SECTORS_URL } from './client';
import type { HistoryEntry, SectorDetailResponse, SectorHistoryResponse, SectorKey } from './types';

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
