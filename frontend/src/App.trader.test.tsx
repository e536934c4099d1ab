import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { ROTATION_OPEN_KEY } from './rotation/RotationButton';
import { SCANNER_OPEN_KEY } from './scanner/ScannerButton';
import { mockFetch } from './test/env';
import { jsonResponse, makeResponse } from './test/fixtures';
import { manualSource } from './test/source';
import { makeBars, makeNews, makePreferences, makeRotationGraph, makeScannerPage } from './test/trader';
import { resetWatchlist } from './watchlist/store';

vi.mock('./stock/PriceChart', () => ({
  default: ({ symbol }: { symbol: string }) => <div data-testid="price-chart">{symbol} chart</div>,
}));

const fetchMock = mockFetch();
// A view's chunk loads on its first open: a busy machine may take a few seconds.
const LAZY = { timeout: 5_000 };

function serve(url: string): Response {
  if (url.startsWith('/api/scanner')) return jsonResponse(makeScannerPage());
  if (url.startsWith('/api/rrg')) return jsonResponse(makeRotationGraph());
  if (/^\/api\/stocks\/[A-Z]+\/bars/.test(url)) return jsonResponse(makeBars());
  if (/^\/api\/stocks\/[A-Z]+\/news/.test(url)) return jsonResponse(makeNews());
  if (url === '/api/preferences') return jsonResponse(makePreferences());
  if (url.startsWith('/api/stocks/')) return jsonResponse({ detail: 'not listed' }, 404);
  if (url.startsWith('/api/sectors/')) return jsonResponse({ detail: 'not here' }, 404);
  return jsonResponse({ detail: `unexpected ${url}` }, 500);
}

describe('App: scanner and stock panel', { timeout: 15_000 }, () => {
  beforeEach(() => {
    localStorage.removeItem(SCANNER_OPEN_KEY);
    localStorage.removeItem(ROTATION_OPEN_KEY);
    resetWatchlist();
    fetchMock.mockImplementation((input) => Promise.resolve(serve(String(input))));
  });
  afterEach(() => resetWatchlist());

  const scannerCalls = () => fetchMock.mock.calls.filter(([url]) => String(url).startsWith('/api/scanner')).length;

  it('opens a top-list symbol’s panel, closes it on Escape and gives the focus back', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse() });
    const symbol = screen.getAllByTestId('open-stock').find((button) => button.dataset.symbol === 'SOUN')!;
    symbol.focus();
    fireEvent.click(symbol);
    const dialog = await screen.findByRole('dialog', { name: /^SOUN/ }, LAZY);
    // The card the symbol sits in did not open its drill-down.
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
    expect(await within(dialog).findByTestId('price-chart', {}, LAZY)).toHaveTextContent('SOUN chart');
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(symbol).toHaveFocus();
  });

  it('opens a significant move’s stock from the moves strip', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse() });
    source.emit({
      kind: 'move',
      move: { symbol: 'GAPR', change_pct: 38.2, previous_close: 5, price: 6.91, direction: 'up', sector: 'healthcare' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'GAPR +38.2% at $6.91' }));
    expect(await screen.findByRole('dialog', { name: /^GAPR/ }, LAZY)).toBeInTheDocument();
  });

  it('shows the scanner from the header button or `s`, remembers it, and asks again on a live update', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse() });
    expect(screen.queryByTestId('scanner')).toBeNull();
    const button = screen.getByTestId('scanner-button');
    fireEvent.click(button);
    expect(button).toHaveAttribute('aria-pressed', 'true');
    expect(await screen.findAllByTestId('scanner-row', {}, LAZY)).toHaveLength(2);
    expect(localStorage.getItem(SCANNER_OPEN_KEY)).toBe('true');
    const before = scannerCalls();
    source.emit({ kind: 'data', data: makeResponse({ as_of: '2026-11-24T11:40:00+00:00' }) });
    // A moment after the update (a burst of them is one request).
    await waitFor(() => expect(scannerCalls()).toBe(before + 1), { timeout: 5_000 });
    fireEvent.keyDown(document.body, { key: 's' });
    expect(screen.queryByTestId('scanner')).toBeNull();
    expect(localStorage.getItem(SCANNER_OPEN_KEY)).toBe('false');
    fireEvent.keyDown(document.body, { key: 's' });
    // Opened from the keyboard, the focus goes into it.
    await waitFor(() => expect(screen.getByTestId('scanner')).toHaveFocus());
  });

  it('shows the rotation graph from the header button or `r`, and asks again on a new run', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse() });
    const rotationCalls = () => fetchMock.mock.calls.map(([url]) => String(url)).filter((url) => url.startsWith('/api/rrg'));
    const button = screen.getByTestId('rotation-button');
    fireEvent.click(button);
    expect(button).toHaveAttribute('aria-pressed', 'true');
    // The view's chunk loads on the first open: a busy machine may take a few seconds.
    expect(await screen.findAllByTestId('rrg-dot', {}, LAZY)).toHaveLength(2);
    expect(localStorage.getItem(ROTATION_OPEN_KEY)).toBe('true');
    const before = rotationCalls().length;
    source.emit({ kind: 'data', data: makeResponse({ as_of: '2026-11-24T11:40:00+00:00' }) });
    await waitFor(() => expect(rotationCalls()).toHaveLength(before + 1), { timeout: 5_000 });
    fireEvent.keyDown(document.body, { key: 'r' });
    expect(screen.queryByTestId('rotation')).toBeNull();
    fireEvent.keyDown(document.body, { key: 'r' });
    await waitFor(() => expect(screen.getByTestId('rotation')).toHaveFocus(), { timeout: 5_000 });
    expect(rotationCalls().at(-1)).toBe('/api/rrg?interval=day&tail=5');
  });

  it('opens a scanner row’s stock with its figures, and the sector from the panel', async () => {
    localStorage.setItem(SCANNER_OPEN_KEY, 'true');
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse() });
    const row = (await screen.findAllByTestId('scanner-row', {}, LAZY))[0]!;
    fireEvent.click(within(row).getByRole('button', { name: 'GAPR' }));
    const dialog = await screen.findByRole('dialog', { name: /^GAPR/ }, LAZY);
    expect(within(dialog).getByTestId('figure-gap')).toHaveTextContent('+38.2%');
    fireEvent.click(within(dialog).getByTestId('stock-open-sector'));
    await waitFor(() => expect(screen.getByRole('dialog')).toHaveAccessibleName('Healthcare sector detail'));
    await act(async () => {});
  });
});
