/** Fixtures of the trader's views: scanner pages, news, price bars and preferences with links. */
import type {
  NewsArticle,
  Preferences,
  PriceBar,
  RotationGraph,
  ScannerPage,
  ScannerRow,
  StockBars,
  StockNews,
} from '../api/types';

export function makeScannerRow(overrides: Partial<ScannerRow> = {}): ScannerRow {
  return {
    symbol: 'GAPR',
    name: 'Gapper Therapeutics',
    exchange: 'XNAS',
    sector: 'healthcare',
    sector_color: 'dark_green',
    sector_signal: 'DO_NOT_SHORT',
    price: 6.91,
    previous_close: 5.0,
    gap_pct: 38.2,
    session_volume: 2_345_678,
    premarket_volume: 2_345_678,
    dollar_volume: 16_208_634,
    relative_volume: 12.4,
    float_shares: 18_500_000,
    market_cap: 142_000_000,
    headline: 'Gapper Therapeutics wins FDA approval for lead drug',
    headline_published_at: '2026-11-24T08:30:00Z',
    news_count: 3,
    ...overrides,
  };
}

export function makeScannerPage(overrides: Partial<ScannerPage> = {}): ScannerPage {
  const rows = overrides.rows ?? [
    makeScannerRow(),
    makeScannerRow({
      symbol: 'DROP',
      name: 'Drop Energy',
      sector: 'energy',
      sector_color: 'light_red',
      price: 3.1,
      previous_close: 4.0,
      gap_pct: -22.5,
      premarket_volume: null,
      dollar_volume: 950_000,
      relative_volume: null,
      float_shares: null,
      headline: null,
      news_count: 0,
    }),
  ];
  return {
    as_of: '2026-11-24T09:05:00Z',
    session: '2026-11-24',
    source: 'snapshot',
    stale: false,
    stale_reason: null,
    run_id: 'run-1',
    news_since: '2026-11-23T21:00:00Z',
    news_error: null,
    sort: 'gap',
    total: rows.length,
    ...overrides,
    rows,
  };
}

export function makeArticle(overrides: Partial<NewsArticle> = {}): NewsArticle {
  return {
    id: 'n1',
    published_at: '2026-11-24T08:30:00Z',
    title: 'Gapper Therapeutics wins FDA approval for lead drug',
    publisher: 'Newswire',
    url: 'https://news.example.com/gapr',
    tickers: ['GAPR'],
    sentiment: 'positive',
    sentiment_source: 'vendor',
    reasoning: 'Approval opens the US market.',
    ...overrides,
  };
}

export function makeNews(items: NewsArticle[] = [makeArticle()]): StockNews {
  return { symbol: 'GAPR', since: '2026-11-23T21:00:00Z', until: '2026-11-24T09:05:00Z', count: items.length, items };
}

export function makeBars(interval: StockBars['interval'] = 'minute', count = 3): StockBars {
  const start = interval === 'minute' ? 1_795_770_000 : 1_795_737_600;
  const step = interval === 'minute' ? 60 : 86_400;
  const bars: PriceBar[] = Array.from({ length: count }, (_, i) => ({
    time: start + i * step,
    open: 5 + i,
    high: 6 + i,
    low: 4.5 + i,
    close: 5.5 + i,
    volume: 1000 * (i + 1),
  }));
  return { symbol: 'GAPR', interval, session: interval === 'minute' ? '2026-11-24' : null, count, bars };
}

export const CHART_LINKS = [
  { label: 'TradingView', url_template: 'https://www.tradingview.com/chart/?symbol={symbol}' },
  { label: 'Finviz', url_template: 'https://finviz.com/quote.ashx?t={symbol}' },
];

export function makePreferences(overrides: Partial<Preferences> = {}): Preferences {
  return {
    freshness_tolerance_hours: 2,
    scheduled_runs: ['04:00'],
    intraday_refresh: true,
    watchlist: [],
    chart_links: CHART_LINKS,
    ...overrides,
  } as Preferences;
}

/** A rotation graph of three sectors: technology leading with three points, energy improving with
 * one, healthcare without data. */
export function makeRotationGraph(overrides: Partial<RotationGraph> = {}): RotationGraph {
  return {
    interval: 'day',
    benchmark: 'IWM',
    run_id: '3f2a9c',
    as_of: '2026-11-24T16:07:00Z',
    ratio_period: 10,
    momentum_period: 5,
    tail: 5,
    sectors: [
      {
        sector: 'technology',
        label: 'Technology',
        quadrant: 'leading',
        points: [
          { time: '2026-11-20T21:00:00Z', rs_ratio: 99.2, rs_momentum: 99.5 },
          { time: '2026-11-21T21:00:00Z', rs_ratio: 100.4, rs_momentum: 100.9 },
          { time: '2026-11-24T16:07:00Z', rs_ratio: 101.5306, rs_momentum: 100.3226 },
        ],
        reason: 'Only 3 of 5 points: the first point needs 15 bars and 17 are held',
      },
      {
        sector: 'energy',
        label: 'Energy',
        quadrant: 'improving',
        points: [{ time: '2026-11-24T16:07:00Z', rs_ratio: 98.1, rs_momentum: 102.8 }],
        reason: null,
      },
      {
        sector: 'healthcare',
        label: 'Healthcare',
        quadrant: null,
        points: [],
        reason: 'Too little data: 6 sessions of the sector and IWM, 15 needed for the first point',
      },
    ],
    ...overrides,
  };
}
