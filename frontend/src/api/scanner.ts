/** `GET /api/scanner`: the gap and mover scanner. Failures throw ApiError. */
import { isRecord, requestJson } from './client';
import type { ScannerPage, ScannerSort, SectorKey } from './types';

export const SCANNER_URL = '/api/scanner';

/** What the trader filters and sorts the scanner by; zero means no minimum. */
export interface ScannerQuery {
  sort: ScannerSort;
  minGapPct: number;
  minDollarVolume: number;
  sector: SectorKey | null;
  limit: number;
}

export const DEFAULT_SCANNER_QUERY: ScannerQuery = {
  sort: 'gap',
  minGapPct: 0,
  minDollarVolume: 0,
  sector: null,
  limit: 100,
};

/** The request URL: only what differs from the server's defaults, so a plain scan reads plainly. */
export function scannerUrl(query: ScannerQuery): string {
  const params = new URLSearchParams({ sort: query.sort, limit: String(query.limit) });
  if (query.minGapPct > 0) params.set('min_gap_pct', String(query.minGapPct));
  if (query.minDollarVolume > 0) params.set('min_dollar_volume', String(query.minDollarVolume));
  if (query.sector !== null) params.set('sector', query.sector);
  return `${SCANNER_URL}?${params.toString()}`;
}

function looksLikeScanner(body: unknown): body is ScannerPage {
  return isRecord(body) && typeof body.as_of === 'string' && Array.isArray(body.rows);
}

export function fetchScanner(query: ScannerQuery, signal?: AbortSignal): Promise<ScannerPage> {
  return requestJson<ScannerPage>(scannerUrl(query), { signal }, looksLikeScanner, {
    malformedMessage: 'Malformed scanner page from the server',
  });
}
