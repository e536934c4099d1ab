import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockFetch } from '../test/env';
import { jsonResponse } from '../test/fixtures';
import { CHART_LINKS, makeArticle, makeBars, makeNews, makePreferences, makeScannerRow } from '../test/trader';
import { resetWatchlist } from '../watchlist/store';
import StockPanel from './StockPanel';

// The chart draws on a canvas jsdom does not have; the panel is tested around it.
vi.mock('./PriceChart', () => ({
  default: ({ bars, interval }: { bars: unknown[]; interval: string }) => (
    <div data-testid="price-chart" data-interval={interval}>
      {bars.length} bars
    </div>
  ),
}));

const STOCK = {
  symbol: 'GAPR',
  in_universe: true,
  member: {
    symbol: 'GAPR',
    name: 'Gapper Therapeutics',
    sector: 'healthcare',
    tier: 'micro_cap',
    exchange: 'XNAS',
    market_cap: 142_000_000,
    float_shares: 18_500_000,
  },
  classification: { sector: 'healthcare', source: 'sic', sic_code: 2834, confidence: 0.9 },
  metrics: { returns_pct: { '30m': null, '1d': 38.2, '1w': 41.0 }, relative_volume: 12.4, rank_score: 7.7 },
  sector_card: { sector: 'healthcare', label: 'Healthcare', color: 'dark_green', signal: 'DO_NOT_SHORT' },
  in_top_list: false,
  top_list: null,
};

type Route = (url: string, init?: RequestInit) => Response | undefined;

describe('StockPanel', () => {
  const fetchMock = mockFetch();
  let routes: Route[];
  const puts: unknown[] = [];

  beforeEach(() => {
    resetWatchlist();
    puts.length = 0;
    routes = [];
    fetchMock.mockImplementation((input, init) => {
      const url = String(input);
      for (const route of routes) {
        const answer = route(url, init);
        if (answer) return Promise.resolve(answer);
      }
      if (url === '/api/stocks/GAPR') return Promise.resolve(jsonResponse(STOCK));
      if (url.startsWith('/api/stocks/GAPR/bars?interval=minute')) return Promise.resolve(jsonResponse(makeBars('minute', 3)));
      if (url.startsWith('/api/stocks/GAPR/bars?interval=day')) return Promise.resolve(jsonResponse(makeBars('day', 30)));
      if (url.startsWith('/api/stocks/GAPR/news')) return Promise.resolve(jsonResponse(makeNews()));
      if (url === '/api/preferences' && init?.method === 'PUT') {
        const body = JSON.parse(String(init.body)) as unknown;
        puts.push(body);
        return Promise.resolve(jsonResponse(body));
      }
      if (url === '/api/preferences') return Promise.resolve(jsonResponse(makePreferences()));
      return Promise.resolve(jsonResponse({ detail: `unexpected ${url}` }, 500));
    });
  });
  afterEach(() => resetWatchlist());

  const urls = () => fetchMock.mock.calls.map(([url]) => String(url));

  it('is a labelled dialog with the chart, the headlines with their sentiment, and the figures', async () => {
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    await waitFor(() => expect(dialog).toHaveAccessibleName('GAPR (Gapper Therapeutics): chart and news'));
    expect(screen.getByRole('button', { name: 'Close GAPR' })).toHaveFocus();
    expect(await screen.findByTestId('price-chart')).toHaveTextContent('3 bars');
    const item = await screen.findByTestId('news-item');
    expect(item).toHaveTextContent('Gapper Therapeutics wins FDA approval for lead drug');
    expect(item).toHaveTextContent('▲ Positive · Newswire · 2026-11-24 03:30 ET');
    expect(item).toHaveTextContent('Approval opens the US market.');
    const link = within(item).getByRole('link');
    expect(link).toHaveAttribute('href', 'https://news.example.com/gapr');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    const figures = screen.getByTestId('stock-figures');
    expect(figures).toHaveTextContent('1D+38.20%');
    expect(figures).toHaveTextContent('Float18.5M');
    expect(figures).toHaveTextContent('Market cap$142M');
    expect(screen.getByTestId('stock-sector')).toHaveTextContent('Healthcare · Do not short');
    expect(urls()).toEqual(
      expect.arrayContaining(['/api/stocks/GAPR', '/api/stocks/GAPR/bars?interval=minute', '/api/stocks/GAPR/news?limit=20']),
    );
  });

  it('shows the scanner line’s live figures when opened from the scanner', async () => {
    render(<StockPanel symbol="GAPR" row={makeScannerRow()} onClose={() => {}} />);
    expect(screen.getByTestId('figure-price')).toHaveTextContent('$6.91');
    expect(screen.getByTestId('figure-gap')).toHaveTextContent('+38.2%');
    expect(screen.getByTestId('stock-figures')).toHaveTextContent('$ Volume$16.2M');
    await screen.findByTestId('news-item');
  });

  it('switches between intraday and daily bars', async () => {
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    expect(await screen.findByTestId('price-chart')).toHaveAttribute('data-interval', 'minute');
    expect(screen.getByTestId('interval-minute')).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(screen.getByTestId('interval-day'));
    await waitFor(() => expect(screen.getByTestId('price-chart')).toHaveAttribute('data-interval', 'day'));
    expect(screen.getByTestId('price-chart')).toHaveTextContent('30 bars');
    expect(screen.getByTestId('interval-day')).toHaveAttribute('aria-pressed', 'true');
    expect(urls()).toContain('/api/stocks/GAPR/bars?interval=day');
  });

  it('says what failed, and tries again on request', async () => {
    let newsFails = true;
    routes.push((url) => {
      if (url.startsWith('/api/stocks/GAPR/news') && newsFails) return jsonResponse({ detail: 'News vendor unavailable' }, 503);
      if (url.startsWith('/api/stocks/GAPR/bars')) return jsonResponse({ ...makeBars('minute', 0) });
      return undefined;
    });
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    expect(await screen.findByTestId('news-error')).toHaveTextContent('Could not load the news: News vendor unavailable');
    expect(await screen.findByTestId('bars-empty')).toHaveTextContent('No trades in this session yet.');
    newsFails = false;
    fireEvent.click(within(screen.getByTestId('news-error')).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('news-item')).toBeInTheDocument();
  });

  it('says when there is no news, and reads a sentiment taken from the headline as such', async () => {
    routes.push((url) =>
      url.startsWith('/api/stocks/GAPR/news') ? jsonResponse(makeNews([])) : undefined,
    );
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    expect(await screen.findByTestId('news-empty')).toHaveTextContent('No headlines name GAPR since 2026-11-23 16:00 ET.');
  });

  it('names each article’s sentiment in words, or says it has none', async () => {
    routes.push((url) =>
      url.startsWith('/api/stocks/GAPR/news')
        ? jsonResponse(
            makeNews([
              makeArticle({ id: 'a', sentiment: 'negative', sentiment_source: 'headline', reasoning: null, url: null }),
              makeArticle({ id: 'b', sentiment: null, sentiment_source: null }),
            ]),
          )
        : undefined,
    );
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    const items = await screen.findAllByTestId('news-item');
    expect(items[0]).toHaveTextContent('▼ Negative');
    expect(within(items[0]!).getByTestId('news-sentiment')).toHaveAttribute('title', 'Sentiment read from the headline');
    expect(within(items[0]!).queryByRole('link')).toBeNull();
    expect(items[1]).toHaveTextContent('No sentiment');
  });

  it('closes on Escape before anything beneath it sees the key', async () => {
    const onClose = vi.fn();
    const beneath = vi.fn();
    document.addEventListener('keydown', beneath);
    render(<StockPanel symbol="GAPR" onClose={onClose} />);
    fireEvent.keyDown(screen.getByRole('button', { name: 'Close GAPR' }), { key: 'Escape' });
    document.removeEventListener('keydown', beneath);
    expect(onClose).toHaveBeenCalledOnce();
    expect(beneath).not.toHaveBeenCalled();
    await screen.findByTestId('news-item');
  });

  it('keeps Tab inside the dialog', async () => {
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    await screen.findAllByTestId('chart-link');
    // The first stop is the pin beside the symbol, the last the links' edit button.
    const first = screen.getByRole('button', { name: 'Pin GAPR to the watchlist' });
    const last = screen.getByTestId('links-edit');
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(first).toHaveFocus();
    fireEvent.keyDown(first, { key: 'Tab', shiftKey: true });
    expect(last).toHaveFocus();
  });

  it('opens the trader’s links in a new tab, built for the symbol', async () => {
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    const links = await screen.findAllByTestId('chart-link');
    expect(links.map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['TradingView (opens in a new tab) ↗', 'https://www.tradingview.com/chart/?symbol=GAPR'],
      ['Finviz (opens in a new tab) ↗', 'https://finviz.com/quote.ashx?t=GAPR'],
    ]);
    for (const link of links) {
      expect(link).toHaveAttribute('target', '_blank');
      expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    }
  });

  it('edits the links and saves them with the rest of the preferences', async () => {
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId('links-edit'));
    const editor = screen.getByTestId('links-editor');
    fireEvent.click(within(editor).getAllByRole('button', { name: /^Remove link/ })[0]!);
    fireEvent.click(within(editor).getByTestId('link-add'));
    const labels = within(editor).getAllByTestId('link-label');
    const addresses = within(editor).getAllByTestId('link-url');
    fireEvent.change(labels[1]!, { target: { value: ' StockCharts ' } });
    fireEvent.change(addresses[1]!, { target: { value: 'https://stockcharts.com/h-sc/ui?s={symbol}' } });
    await act(async () => {
      fireEvent.click(within(editor).getByTestId('links-save'));
    });
    expect(puts).toEqual([
      makePreferences({
        chart_links: [CHART_LINKS[1]!, { label: 'StockCharts', url_template: 'https://stockcharts.com/h-sc/ui?s={symbol}' }],
      }),
    ]);
    expect(screen.queryByTestId('links-editor')).toBeNull();
    expect(screen.getAllByTestId('chart-link').map((link) => link.getAttribute('href'))).toEqual([
      'https://finviz.com/quote.ashx?t=GAPR',
      'https://stockcharts.com/h-sc/ui?s=GAPR',
    ]);
  });

  it('shows the server’s refusal of bad links and keeps the editor open', async () => {
    const detail = 'chart_links.2.url_template: Value error, must contain {symbol}, where the ticker goes';
    routes.push((url, init) => (url === '/api/preferences' && init?.method === 'PUT' ? jsonResponse({ detail }, 422) : undefined));
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId('links-edit'));
    fireEvent.click(screen.getByTestId('link-add'));
    fireEvent.change(screen.getAllByTestId('link-label')[2]!, { target: { value: 'Mine' } });
    fireEvent.change(screen.getAllByTestId('link-url')[2]!, { target: { value: 'https://example.com/chart' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('links-save'));
    });
    expect(screen.getByTestId('links-error')).toHaveTextContent(`Not saved: ${detail}`);
    expect(screen.getAllByTestId('link-url')[2]).toHaveAccessibleDescription(expect.stringContaining(detail));
    // Nothing changed: the links shown are still the saved ones.
    expect(screen.getAllByTestId('chart-link')).toHaveLength(2);
  });

  it('says why a stock outside the universe has no figures', async () => {
    routes.push((url) =>
      url === '/api/stocks/GAPR'
        ? jsonResponse({ detail: 'GAPR excluded' }, 404, { 'X-Exclusion-Reason': 'float' })
        : undefined,
    );
    render(<StockPanel symbol="GAPR" onClose={() => {}} />);
    expect(await screen.findByTestId('stock-excluded')).toHaveTextContent('Not in the current universe. Float too small');
    await screen.findByTestId('news-item');
  });
});
