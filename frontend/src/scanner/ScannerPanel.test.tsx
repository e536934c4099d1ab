import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { scannerUrl, DEFAULT_SCANNER_QUERY } from '../api/scanner';
import type { ScannerSort } from '../api/types';
import { OpenStockProvider } from '../stock/open';
import { mockFetch } from '../test/env';
import { jsonResponse } from '../test/fixtures';
import { makeScannerPage, makeScannerRow } from '../test/trader';
import ScannerPanel, { nextSort, readScannerQuery, SCANNER_QUERY_KEY } from './ScannerPanel';
import { LIVE_SETTLE_MS, SCANNER_REFRESH_MS } from './useScanner';

const LABELS = { healthcare: 'Healthcare', energy: 'Energy' } as const;

describe('scannerUrl', () => {
  it.each([
    [{}, '/api/scanner?sort=gap&limit=100'],
    [{ sort: 'dollar_volume' as ScannerSort, minGapPct: 5 }, '/api/scanner?sort=dollar_volume&limit=100&min_gap_pct=5'],
    [{ minDollarVolume: 1_000_000, sector: 'energy' as const }, '/api/scanner?sort=gap&limit=100&min_dollar_volume=1000000&sector=energy'],
  ])('%o → %s', (change, url) => {
    expect(scannerUrl({ ...DEFAULT_SCANNER_QUERY, ...change })).toBe(url);
  });
});

describe('nextSort', () => {
  it.each([
    ['gap', 'gap', 'gap_up'],
    ['gap_up', 'gap', 'gap_down'],
    ['gap_down', 'gap', 'gap'],
    ['volume', 'gap', 'gap'],
    ['gap', 'volume', 'volume'],
    ['gap_up', 'dollar_volume', 'dollar_volume'],
    ['relative_volume', 'relative_volume', 'relative_volume'],
  ] as const)('from %s, a click on %s sorts by %s', (current, column, next) => {
    expect(nextSort(current, column)).toBe(next);
  });
});

describe('readScannerQuery', () => {
  beforeEach(() => localStorage.removeItem(SCANNER_QUERY_KEY));

  it('reads what was kept, and anything malformed as the defaults', () => {
    localStorage.setItem(SCANNER_QUERY_KEY, JSON.stringify({ sort: 'volume', minGapPct: 10, sector: 'energy' }));
    expect(readScannerQuery()).toMatchObject({ sort: 'volume', minGapPct: 10, sector: 'energy', minDollarVolume: 0 });
    localStorage.setItem(SCANNER_QUERY_KEY, JSON.stringify({ sort: 'price', minGapPct: 7, sector: 'crypto' }));
    expect(readScannerQuery()).toEqual(DEFAULT_SCANNER_QUERY);
    localStorage.setItem(SCANNER_QUERY_KEY, '{not json');
    expect(readScannerQuery()).toEqual(DEFAULT_SCANNER_QUERY);
  });
});

describe('ScannerPanel', () => {
  const fetchMock = mockFetch({ fakeTimers: true });
  beforeEach(() => localStorage.removeItem(SCANNER_QUERY_KEY));

  // A fresh response per call: a body is read once.
  const answer = (body: unknown, status = 200) => Promise.resolve(jsonResponse(body, status));
  const urls = () => fetchMock.mock.calls.map(([url]) => String(url));

  it('lists the rows in the server’s order with compact figures, the sector colour in words and the headline', async () => {
    fetchMock.mockImplementation(() => answer(makeScannerPage()));
    render(<ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />);
    const rows = await screen.findAllByTestId('scanner-row');
    expect(rows.map((row) => row.dataset.symbol)).toEqual(['GAPR', 'DROP']);
    const cells = (row: HTMLElement) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent);
    expect(cells(rows[0]!)).toEqual([
      'GAPR',
      '$6.91',
      '▲+38.2%',
      '2.3M',
      '$16.2M',
      '12.4x',
      '18.5M',
      'Gapper Therapeutics wins FDA approval for lead drug +2',
    ]);
    expect(cells(rows[1]!)).toEqual(['DROP', '$3.10', '▼-22.5%', '2.3M', '$950K', '—', '—', 'No news']);
    // Before 09:30 the session's volume is its pre-market volume: one column, named so.
    expect(screen.getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Symbol',
      'Price',
      'Gap %⇅',
      'Pre-mkt vol↕',
      '$ Vol↕',
      'Rel vol↕',
      'Float',
      'Headline',
    ]);
    expect(within(rows[0]!).getByRole('img')).toHaveAccessibleName('Healthcare, dark green');
    expect(within(rows[0]!).getByTestId('scanner-headline')).toHaveAttribute(
      'title',
      'Gapper Therapeutics wins FDA approval for lead drug',
    );
    expect(screen.getByTestId('scanner-summary')).toHaveTextContent('2 stocks · 04:05 ET · pre-market');
    expect(urls()).toEqual(['/api/scanner?sort=gap&limit=100']);
  });

  it('shows the pre-market volume beside the session’s once the regular session is open', async () => {
    fetchMock.mockImplementation(() =>
      answer(makeScannerPage({ as_of: '2026-11-24T15:00:00Z', rows: [makeScannerRow({ session_volume: 5_600_000 })] })),
    );
    render(<ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />);
    const row = await screen.findByTestId('scanner-row');
    expect(screen.getAllByRole('columnheader').map((th) => th.textContent).slice(3, 5)).toEqual(['Pre-mkt vol', 'Volume↕']);
    expect([...row.querySelectorAll('td')].slice(2, 4).map((cell) => cell.textContent)).toEqual(['2.3M', '5.6M']);
    expect(screen.getByTestId('scanner-summary')).toHaveTextContent(/^1 stock · 10:00 ET$/);
  });

  it('sorts by the clicked column (the gap cycles either way, up, down), saying so to assistive tech', async () => {
    fetchMock.mockImplementation(() => answer(makeScannerPage()));
    render(<ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />);
    await screen.findAllByTestId('scanner-row');
    const header = (column: string) => screen.getByTestId(`sort-${column}`).closest('th')!;
    expect(header('gap')).toHaveAttribute('aria-sort', 'other');
    fireEvent.click(screen.getByTestId('sort-gap'));
    await waitFor(() => expect(urls().at(-1)).toContain('sort=gap_up'));
    expect(header('gap')).toHaveAttribute('aria-sort', 'descending');
    fireEvent.click(screen.getByTestId('sort-gap'));
    await waitFor(() => expect(urls().at(-1)).toContain('sort=gap_down'));
    expect(header('gap')).toHaveAttribute('aria-sort', 'ascending');
    fireEvent.click(screen.getByTestId('sort-dollar_volume'));
    await waitFor(() => expect(urls().at(-1)).toContain('sort=dollar_volume'));
    expect(header('dollar_volume')).toHaveAttribute('aria-sort', 'descending');
    expect(header('gap')).toHaveAttribute('aria-sort', 'none');
    expect(screen.getByRole('table')).toHaveAccessibleName('Movers since the previous close, sorted by dollar volume');
    expect(JSON.parse(localStorage.getItem(SCANNER_QUERY_KEY)!)).toMatchObject({ sort: 'dollar_volume' });
  });

  it('asks the server with the chosen filters, and says when none matches', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse(makeScannerPage()));
    render(<ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />);
    await screen.findAllByTestId('scanner-row');
    fetchMock.mockImplementation(() => answer(makeScannerPage({ rows: [], total: 0 })));
    fireEvent.change(screen.getByTestId('filter-min-gap'), { target: { value: '10' } });
    fireEvent.change(screen.getByTestId('filter-min-dollar-volume'), { target: { value: '1000000' } });
    fireEvent.change(screen.getByTestId('filter-sector'), { target: { value: 'energy' } });
    await waitFor(() =>
      expect(urls().at(-1)).toBe('/api/scanner?sort=gap&limit=100&min_gap_pct=10&min_dollar_volume=1000000&sector=energy'),
    );
    expect(await screen.findByTestId('scanner-empty')).toHaveTextContent('No stock matches these filters.');
    expect(screen.queryAllByTestId('scanner-row')).toHaveLength(0);
    expect(screen.getByRole('option', { name: '$1M' })).toBeInTheDocument();
  });

  it('asks again on a live update and every 15 s while visible, keeping the rows meanwhile', async () => {
    fetchMock.mockImplementation(() => answer(makeScannerPage()));
    const { rerender } = render(<ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />);
    await screen.findAllByTestId('scanner-row');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    // A burst of live updates is one request, a moment after the last.
    rerender(<ScannerPanel refreshKey="b" labels={LABELS} onClose={() => {}} />);
    rerender(<ScannerPanel refreshKey="c" labels={LABELS} onClose={() => {}} />);
    await act(() => vi.advanceTimersByTimeAsync(LIVE_SETTLE_MS));
    expect(screen.getAllByTestId('scanner-row')).toHaveLength(2);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await act(() => vi.advanceTimersByTimeAsync(SCANNER_REFRESH_MS));
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const hidden = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    await act(() => vi.advanceTimersByTimeAsync(SCANNER_REFRESH_MS * 3));
    expect(fetchMock).toHaveBeenCalledTimes(3);
    hidden.mockRestore();
  });

  it.each([
    [409, 'No analysis yet — first run in progress', /^No analysis yet: No analysis yet — first run in progress\. The scanner fills in/],
    [503, 'No market snapshot yet', /^No analysis yet: No market snapshot yet\. The scanner fills in/],
  ])('says in words why there is nothing to scan yet (%i)', async (status, detail, text) => {
    fetchMock.mockImplementation(() => answer({ detail }, status));
    render(<ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />);
    expect(await screen.findByTestId('scanner-not-ready')).toHaveTextContent(text);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('says when the figures are stale or from the analysis, and keeps the last rows when a refresh fails', async () => {
    fetchMock.mockResolvedValueOnce(
      jsonResponse(
        makeScannerPage({ stale: true, stale_reason: 'the vendor timed out', source: 'run', news_error: 'news vendor down' }),
      ),
    );
    const { rerender } = render(<ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />);
    expect(await screen.findByTestId('scanner-note-stale')).toHaveTextContent(
      'Stale: the figures of 04:05 ET — the vendor timed out.',
    );
    expect(screen.getByTestId('scanner-note-run')).toHaveTextContent(/^No live snapshot: these are the latest analysis’s figures/);
    expect(screen.getByTestId('scanner-note-news')).toHaveTextContent('Headlines unavailable: news vendor down');
    fetchMock.mockResolvedValueOnce(jsonResponse({ detail: 'Upstream failed' }, 502));
    rerender(<ScannerPanel refreshKey="b" labels={LABELS} onClose={() => {}} />);
    await act(() => vi.advanceTimersByTimeAsync(LIVE_SETTLE_MS));
    expect(await screen.findByTestId('scanner-error')).toHaveTextContent(
      'Could not refresh the scanner (Upstream failed); showing 04:05 ET.',
    );
    expect(screen.getAllByTestId('scanner-row')).toHaveLength(2);
  });

  it('opens a row’s stock with its scanner line, by the symbol or anywhere on the row', async () => {
    const row = makeScannerRow();
    fetchMock.mockImplementation(() => answer(makeScannerPage({ rows: [row], total: 250 })));
    const open = vi.fn();
    render(
      <OpenStockProvider value={open}>
        <ScannerPanel refreshKey="a" labels={LABELS} onClose={() => {}} />
      </OpenStockProvider>,
    );
    const line = await screen.findByTestId('scanner-row');
    fireEvent.click(within(line).getByRole('button', { name: 'GAPR' }));
    fireEvent.click(within(line).getByText('$6.91'));
    expect(open.mock.calls).toEqual([
      ['GAPR', row],
      ['GAPR', row],
    ]);
    expect(screen.getByText('The first 1 of 250; narrow the filters to see the rest.')).toBeInTheDocument();
  });
});
