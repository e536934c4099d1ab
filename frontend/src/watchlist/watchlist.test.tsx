import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PinButton } from './PinButton';
import { loadWatchlist, resetWatchlist, setPinned, WATCHLIST_MAX } from './store';
import WatchlistPanel from './WatchlistPanel';

const PREFS = { freshness_tolerance_hours: 2, scheduled_runs: ['04:00'], intraday_refresh: true, watchlist: ['SOUN'] };

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

const STOCK = {
  symbol: 'SOUN',
  in_universe: true,
  member: { symbol: 'SOUN', name: 'SoundHound AI', sector: 'technology', tier: 'micro_cap' },
  classification: { sector: 'technology', source: 'sic', sic_code: 7372, confidence: 0.9 },
  metrics: { returns_pct: { '30m': 1.25, '1d': -3.5 }, relative_volume: 2.4, rank_score: 5.1 },
  sector_card: { sector: 'technology', label: 'Technology', color: 'light_red', signal: 'GOOD_SHORTING_ENVIRONMENT' },
  in_top_list: false,
  top_list: null,
};

describe('watchlist', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    resetWatchlist();
    fetchMock = vi.fn((url: string, init?: RequestInit) => {
      if (url === '/api/preferences' && init?.method === 'PUT') return Promise.resolve(json(JSON.parse(String(init.body))));
      if (url === '/api/preferences') return Promise.resolve(json(PREFS));
      if (url === '/api/stocks/SOUN') return Promise.resolve(json(STOCK));
      return Promise.resolve(
        json({ detail: 'excluded by float' }, 404, { 'X-Exclusion-Reason': 'float' }),
      );
    });
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('pins and unpins, saving the whole preferences with the watchlist', async () => {
    await act(() => loadWatchlist());
    render(<PinButton symbol="ACME" />);
    const button = screen.getByTestId('pin-button');
    expect(button).toHaveAttribute('aria-pressed', 'false');
    await act(async () => {
      fireEvent.click(button);
    });
    expect(button).toHaveAttribute('aria-pressed', 'true');
    const put = fetchMock.mock.calls.find(([, init]) => (init as RequestInit | undefined)?.method === 'PUT');
    expect(JSON.parse(String((put![1] as RequestInit).body))).toEqual({ ...PREFS, watchlist: ['SOUN', 'ACME'] });
    await act(async () => {
      fireEvent.click(button);
    });
    expect(button).toHaveAttribute('aria-pressed', 'false');
  });

  it('puts the list back as the server has it when a save fails', async () => {
    await act(() => loadWatchlist());
    fetchMock.mockImplementationOnce(() => Promise.resolve(json({ detail: 'too many requests' }, 429)));
    render(<PinButton symbol="ACME" />);
    await act(() => setPinned('ACME', true));
    expect(screen.getByTestId('pin-button')).toHaveAttribute('aria-pressed', 'false');
  });

  it(`refuses a pin beyond ${WATCHLIST_MAX} symbols without asking the server`, async () => {
    const full = Array.from({ length: WATCHLIST_MAX }, (_, n) => `S${n}`);
    fetchMock.mockImplementationOnce(() => Promise.resolve(json({ ...PREFS, watchlist: full })));
    await act(() => loadWatchlist());
    const before = fetchMock.mock.calls.length;
    await act(() => setPinned('ONEMORE', true));
    expect(fetchMock.mock.calls.length).toBe(before);
  });

  it('shows each pinned symbol with its live figures, and why an excluded one has none', async () => {
    fetchMock.mockImplementationOnce(() => Promise.resolve(json({ ...PREFS, watchlist: ['SOUN', 'TINY'] })));
    await act(() => loadWatchlist());
    render(<WatchlistPanel asOf="2026-01-05T14:00:00Z" />);
    const rows = screen.getAllByTestId('watch-row');
    expect(rows.map((row) => row.getAttribute('data-symbol'))).toEqual(['SOUN', 'TINY']);
    await waitFor(() => expect(rows[0]).toHaveTextContent('Technology · Good shorting'));
    expect(rows[0]).toHaveTextContent('+1.3%');
    expect(rows[0]).toHaveTextContent('-3.5%');
    expect(rows[0]).toHaveTextContent('2.4x vol');
    await waitFor(() => expect(within(rows[1]!).getByText(/Float too small/)).toBeInTheDocument());
  });
});

describe('PinButton in a card', () => {
  it('stays out of the Tab order when asked, so cards stay one Tab apart', () => {
    render(
      <>
        <PinButton symbol="AAA" />
        <PinButton symbol="BBB" focusable={false} />
      </>,
    );
    const [inOrder, outOfOrder] = screen.getAllByTestId('pin-button');
    expect(inOrder).not.toHaveAttribute('tabindex');
    expect(outOfOrder).toHaveAttribute('tabindex', '-1');
  });
});
