import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Constituent, HistoryEntry, SectorDetailResponse } from '../api/types';
import { fetchSectorDetail, fetchSectorHistory } from '../api/detail';
import { AS_OF, jsonResponse, makeSector, makeTimeframe } from '../test/fixtures';
import { SectorDetail } from './SectorDetail';
import { mockFetch } from '../test/env';

// lightweight-charts needs a canvas, which jsdom lacks: stand the chart in with a stub.
vi.mock('./HistoryChart', () => ({
  default: ({ entries }: { entries: readonly HistoryEntry[] }) => (
    <div data-testid="history-chart-stub">{entries.length} runs</div>
  ),
}));

function makeConstituent(symbol: string, overrides: Partial<Constituent> = {}): Constituent {
  return {
    symbol,
    name: `${symbol} Corp.`,
    market_cap: 1_000_000_000,
    avg_daily_volume: 2_000_000,
    sector: 'technology',
    volatility_multiplier: 1.3,
    tier: 'small_cap',
    exchange: 'XNAS',
    float_shares: 50_000_000,
    sic_code: 7372,
    confidence: 0.9,
    classification_source: 'sic',
    change_30m_pct: 0.1,
    change_1d_pct: 1,
    change_3d_pct: 2,
    change_1w_pct: 3,
    relative_volume: 1.2,
    rank_score: 3,
    last_updated: AS_OF,
    run_id: 'a64fd2d2',
    ...overrides,
  };
}

const CONSTITUENTS: Constituent[] = [
  makeConstituent('AAC', { change_1d_pct: 1.083, rank_score: 2.79, float_shares: 335_708_578 }),
  makeConstituent('BBB', { change_1d_pct: -2.3161, rank_score: 3.96, relative_volume: null }),
  makeConstituent('CCC', { change_1d_pct: 0.5, rank_score: 5.5, tier: 'micro_cap' }),
  makeConstituent('DDD', { change_1d_pct: null, rank_score: 1.1 }),
];

function makeDetail(overrides: Partial<SectorDetailResponse> = {}): SectorDetailResponse {
  return {
    run_id: 'a64fd2d2',
    as_of: AS_OF,
    data_source: { provider: 'simulated', simulated: true, label: 'Simulated data' },
    sector: {
      ...makeSector('technology'),
      etf_check: { proxies: ['PSCT', 'XLK'], agreement: 0.4412, stocks_measured: 68 },
    },
    constituent_count: CONSTITUENTS.length,
    constituents: CONSTITUENTS,
    ...overrides,
  };
}

function makeHistory(count = 3) {
  const history: HistoryEntry[] = Array.from({ length: count }, (_, i) => ({
    timestamp: new Date(Date.parse(AS_OF) - i * 1_800_000).toISOString(),
    run_id: `run-${i}`,
    score: 0.1 * i,
    color: 'light_green',
    signal: 'AVOID_SHORTS',
    confidence: 0.8,
    stock_count: 68,
    detail: {
      timeframes: {
        '30m': makeTimeframe({ score: 0.1 * i }),
        '1d': makeTimeframe({ score: -0.2 * i }),
      },
      top_bullish: [],
      top_bearish: [],
      volatility_weight_source: 'static',
      etf_check: { proxies: ['XLK'], agreement: 0.5, stocks_measured: 60 },
    },
  }));
  return { sector: 'technology', since: null, until: null, limit: 200, count, history };
}

const fetchMock = mockFetch();

function routeFetch(
  detail: () => Response | Promise<Response> = () => jsonResponse(makeDetail()),
  history: () => Response | Promise<Response> = () => jsonResponse(makeHistory()),
) {
  fetchMock.mockImplementation(async (input) => {
    const url = String(input);
    if (url.includes('/history')) return history();
    return detail();
  });
}

function symbols(): string[] {
  return screen.getAllByTestId('constituent-row').map((row) => row.dataset.symbol ?? '');
}

function header(name: RegExp) {
  const button = screen.getByRole('button', { name });
  const th = button.closest('th');
  if (!th) throw new Error('header cell not found');
  return { button, th };
}

describe('SectorDetail', () => {
  it.each([
    [false, 12, 'Avoid shorts'],
    [true, 3, 'Insufficient data (3 members)'],
    [true, 1, 'Insufficient data (1 member)'],
  ])('says insufficient data instead of the colour words (%s, %i members)', async (insufficient, members, text) => {
    const sector = {
      ...makeSector('technology'),
      signal: 'AVOID_SHORTS' as const,
      stock_count: members,
      insufficient_data: insufficient,
      insufficient_reason: insufficient ? `${members} members, at least 5 needed for a colour` : null,
    };
    routeFetch(() => jsonResponse(makeDetail({ sector })));
    render(<SectorDetail sector="technology" onClose={() => {}} />);
    const chip = await screen.findByTestId('detail-signal');
    expect(chip).toHaveTextContent(text);
    expect(chip.getAttribute('title')).toBe(insufficient ? `${members} members, at least 5 needed for a colour` : null);
  });


  it('renders every constituent, the ETF block and the history chart', async () => {
    routeFetch();
    render(<SectorDetail sector="technology" onClose={() => {}} />);

    const dialog = screen.getByRole('dialog', { name: 'Technology sector detail' });
    expect(screen.getByTestId('detail-loading')).toBeInTheDocument();

    expect(await screen.findAllByTestId('constituent-row')).toHaveLength(4);
    expect(fetchMock).toHaveBeenCalledWith('/api/sectors/technology', expect.anything());
    expect(fetchMock).toHaveBeenCalledWith(
      '/api/sectors/technology/history?limit=200',
      expect.anything(),
    );

    // Default order: rank score, highest first.
    expect(symbols()).toEqual(['CCC', 'BBB', 'AAC', 'DDD']);

    const aac = within(dialog).getByText('AAC').closest('tr');
    expect(aac).not.toBeNull();
    const cells = within(aac as HTMLElement);
    expect(cells.getByText('AAC Corp.')).toBeInTheDocument();
    expect(cells.getByText('Small cap')).toBeInTheDocument();
    expect(cells.getByText('+1.08%')).toBeInTheDocument();
    expect(cells.getByText('1.2x vol')).toBeInTheDocument();
    expect(cells.getByText('2.79')).toBeInTheDocument();
    expect(cells.getByText('335.7M')).toBeInTheDocument();
    // The sign is repeated by an arrow, not only by colour.
    expect(cells.getByText('+1.08%').closest('.change')).toHaveTextContent('▲+1.08%');
    const bbb = within(screen.getByText('BBB').closest('tr') as HTMLElement);
    expect(bbb.getByText('-2.32%').closest('.change')).toHaveTextContent('▼-2.32%');
    expect(bbb.getAllByText('—').length).toBeGreaterThan(0);

    const etf = screen.getByTestId('etf-block');
    expect(within(etf).getByTestId('etf-proxy')).toHaveTextContent('XLK');
    expect(within(etf).getByText(/PSCT, XLK/)).toBeInTheDocument();
    expect(within(etf).getByTestId('etf-agreement')).toHaveTextContent('44%');
    expect(within(etf).getByTestId('etf-agreement')).toHaveTextContent('68 measured');

    expect(await screen.findByTestId('history-chart-stub')).toHaveTextContent('3 runs');
  });

  it('moves focus into the dialog', async () => {
    routeFetch();
    render(<SectorDetail sector="technology" onClose={() => {}} />);
    expect(screen.getByRole('button', { name: /close technology detail/i })).toHaveFocus();
    await screen.findAllByTestId('constituent-row');
  });

  it('sorts by a column on click and on Enter, toggling order and aria-sort', async () => {
    routeFetch();
    render(<SectorDetail sector="technology" onClose={() => {}} />);
    await screen.findAllByTestId('constituent-row');

    expect(header(/^rank/i).th).toHaveAttribute('aria-sort', 'descending');
    expect(header(/^1d/i).th).toHaveAttribute('aria-sort', 'none');

    fireEvent.click(header(/^1d/i).button);
    expect(header(/^1d/i).th).toHaveAttribute('aria-sort', 'descending');
    expect(header(/^rank/i).th).toHaveAttribute('aria-sort', 'none');
    // Missing values always last.
    expect(symbols()).toEqual(['AAC', 'CCC', 'BBB', 'DDD']);

    fireEvent.click(header(/^1d/i).button);
    expect(header(/^1d/i).th).toHaveAttribute('aria-sort', 'ascending');
    expect(symbols()).toEqual(['BBB', 'CCC', 'AAC', 'DDD']);

    // Text columns start ascending; Enter on the header sorts as well.
    fireEvent.keyDown(header(/^tier/i).button, { key: 'Enter' });
    expect(header(/^tier/i).th).toHaveAttribute('aria-sort', 'ascending');
    expect(symbols()[0]).toBe('CCC');
    fireEvent.keyDown(header(/^symbol/i).button, { key: 'Enter' });
    expect(symbols()).toEqual(['AAC', 'BBB', 'CCC', 'DDD']);
    fireEvent.keyDown(header(/^symbol/i).button, { key: 'Enter' });
    expect(header(/^symbol/i).th).toHaveAttribute('aria-sort', 'descending');
    expect(symbols()).toEqual(['DDD', 'CCC', 'BBB', 'AAC']);
  });

  it('closes on Escape and on the close button', async () => {
    routeFetch();
    const onClose = vi.fn();
    render(<SectorDetail sector="technology" onClose={onClose} />);
    await screen.findAllByTestId('constituent-row');

    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole('button', { name: /close technology detail/i }));
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('names the problem when the detail cannot be loaded, and retries', async () => {
    let fail = true;
    routeFetch(() =>
      fail
        ? jsonResponse({ detail: 'No analysis yet — first run in progress' }, 503)
        : jsonResponse(makeDetail()),
    );
    render(<SectorDetail sector="technology" label="Technology" onClose={() => {}} />);

    const alert = await screen.findByTestId('detail-error');
    expect(alert).toHaveAttribute('role', 'alert');
    expect(alert).toHaveTextContent('Could not load the Technology detail');
    expect(alert).toHaveTextContent('No analysis yet — first run in progress (HTTP 503)');
    expect(screen.queryByTestId('constituent-row')).not.toBeInTheDocument();

    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findAllByTestId('constituent-row')).toHaveLength(4);
    expect(screen.queryByTestId('detail-error')).not.toBeInTheDocument();
  });

  it('reports a network failure and a failed history separately', async () => {
    routeFetch(
      () => jsonResponse(makeDetail()),
      () => Promise.reject(new TypeError('Failed to fetch')),
    );
    render(<SectorDetail sector="technology" onClose={() => {}} />);
    expect(await screen.findByTestId('history-error')).toHaveTextContent(
      'Could not load the history: Cannot reach the server (Failed to fetch)',
    );
    expect(screen.getAllByTestId('constituent-row')).toHaveLength(4);
  });
});

describe('detail fetchers', () => {

  it('rejects malformed detail and history bodies, and reads the history', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ hello: 'world' }));
    await expect(fetchSectorDetail('energy')).rejects.toMatchObject({
      name: 'ApiError',
      message: 'Malformed sector detail from the server',
    });

    const { history } = makeHistory(2);
    fetchMock.mockResolvedValueOnce(jsonResponse({ sector: 'energy', since: null, until: null, entries: history }));
    await expect(fetchSectorHistory('energy')).rejects.toMatchObject({
      message: 'Malformed sector history from the server',
    });

    fetchMock.mockResolvedValueOnce(jsonResponse(makeHistory(2)));
    const result = await fetchSectorHistory('energy', { limit: 5 });
    expect(fetchMock).toHaveBeenLastCalledWith('/api/sectors/energy/history?limit=5', expect.anything());
    expect(result.history).toHaveLength(2);
  });

  it('orders chart points oldest first per timeframe', async () => {
    const { historySeries } = await vi.importActual<typeof import('./HistoryChart')>('./HistoryChart');
    const series = historySeries(makeHistory(3).history);
    const times = series['30m'].map((point) => point.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(series['30m'].map((point) => point.value)).toEqual([0.2, 0.1, 0]);
    expect(series['3d']).toEqual([]);
  });
});

