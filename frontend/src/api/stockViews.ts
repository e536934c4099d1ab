/**
 * A stock's chart bars and news (`GET /api/stocks/{symbol}/bars` and `/news`) and a sector's
 * catalyst news (`GET /api/sectors/{sector}/news`). Failures throw ApiError.
 */
import { isRecord, requestJson, SECTORS_URL } from './client';
import { STOCKS_URL } from './actions';
import type { BarInterval, SectorKey, SectorNews, StockBars, StockNews } from './types';

function stockUrl(symbol: string): string {
  return `${STOCKS_URL}/${encodeURIComponent(symbol.trim().toUpperCase())}`;
}

export function stockBarsUrl(symbol: string, interval: BarInterval, session: string | null = null): string {
  const params = new URLSearchParams({ interval });
  if (session !== null && interval === 'minute') params.set('session', session);
  return `${stockUrl(symbol)}/bars?${params.toString()}`;
}

export function stockNewsUrl(symbol: string, limit = 20): string {
  return `${stockUrl(symbol)}/news?limit=${limit}`;
}

export function fetchStockBars(
  symbol: string,
  interval: BarInterval,
  session: string | null,
  signal?: AbortSignal,
): Promise<StockBars> {
  return requestJson<StockBars>(
    stockBarsUrl(symbol, interval, session),
    { signal },
    (body) => isRecord(body) && Array.isArray(body.bars),
    { malformedMessage: 'Malformed price bars from the server' },
  );
}

export function fetchStockNews(symbol: string, signal?: AbortSignal, limit = 20): Promise<StockNews> {
  return requestJson<StockNews>(
    stockNewsUrl(symbol, limit),
    { signal },
    (body) => isRecord(body) && Array.isArray(body.items),
    { malformedMessage: 'Malformed news from the server' },
  );
}

/** `GET /api/sectors/{sector}/news`: the articles behind the sector's catalyst factor, newest first. */
export function fetchSectorNews(sector: SectorKey, signal?: AbortSignal, limit = 30): Promise<SectorNews> {
  return requestJson<SectorNews>(
    `${SECTORS_URL}/${encodeURIComponent(sector)}/news?limit=${limit}`,
    { signal },
    (body) => isRecord(body) && Array.isArray(body.items),
    { malformedMessage: 'Malformed sector news from the server' },
  );
}
