/** `GET /api/heatmap`: the latest universe's members for a treemap. Failures throw ApiError. */
import { isRecord, requestJson } from './client';
import type { HeatmapPage, HeatmapSize, SectorKey, Timeframe } from './types';

export const HEATMAP_URL = '/api/heatmap';

export interface HeatmapQuery {
  sector: SectorKey | null;
  timeframe: Timeframe;
  sizeBy: HeatmapSize;
}

export const DEFAULT_HEATMAP_QUERY: HeatmapQuery = { sector: null, timeframe: '1d', sizeBy: 'market_cap' };

export function heatmapUrl(query: HeatmapQuery): string {
  const params = new URLSearchParams({ timeframe: query.timeframe, size_by: query.sizeBy });
  if (query.sector !== null) params.set('sector', query.sector);
  return `${HEATMAP_URL}?${params.toString()}`;
}

function looksLikeHeatmap(body: unknown): body is HeatmapPage {
  return isRecord(body) && typeof body.run_id === 'string' && Array.isArray(body.sectors);
}

export function fetchHeatmap(query: HeatmapQuery, signal?: AbortSignal): Promise<HeatmapPage> {
  return requestJson<HeatmapPage>(heatmapUrl(query), { signal }, looksLikeHeatmap, {
    malformedMessage: 'Malformed heatmap from the server',
  });
}
