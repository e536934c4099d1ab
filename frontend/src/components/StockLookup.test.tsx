import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fetchStock } from '../api/actions';
import { jsonResponse } from '../test/fixtures';
import { StockLookup } from './StockLookup';
import { mockFetch } from '../test/env';

/** As served for AAC by the backend on the simulated universe, in the top list for the test. */
const MEMBER = {
  symbol: 'AAC',
  in_universe: true,
  member: {
    symbol: 'AAC',
    name: 'Axita Software Co.',
    market_cap: 1086871614,
    avg_daily_volume: 23261319,
    sector: 'technology',
    volatility_multiplier: 1.3,
    last_updated: '2026-11-24T11:37:00Z',
    tier: 'small_cap',
    exchange: 'XNYS',
    float_shares: 335708578,
    sic_code: 7389,
    confidence: 0.95,
    run_id: '22bf5fae-5b94-421e-8bb7-d8c67c6b589a',
    classification_source: 'sic',
    change_30m_pct: -0.3559,
    change_1d_pct: 1.083,
    change_3d_pct: 1.4493,
    change_1w_pct: 5.6604,
    relative_volume: 1.5033,
    rank_score: 2.7921,
  },
  classification: { sector: 'technology', source: 'sic', confidence: 0.95, sic_code: 7389 },
  sector_card: {
    sector: 'technology',
    label: 'Technology',
    score: -0.2673,
    color: 'light_red',
    signal: 'GOOD_SHORTING_ENVIRONMENT',
    confidence: 0.8059,
  },
  metrics: {
    returns_pct: { '30m': -0.3559, '1d': 1.083, '3d': 1.4493, '1w': 5.6604 },
    relative_volume: 1.5033,
    rank_score: 2.7921,
  },
  in_top_list: true,
  top_list: {
    sector: 'technology',
    list: 'top_bullish',
    rank: 2,
    change_pct: 1.083,
    relative_volume: 1.5033,
    rank_score: 2.7921,
  },
  run_id: '22bf5fae-5b94-421e-8bb7-d8c67c6b589a',
  as_of: '2026-11-24T11:37:00Z',
};

const fetchMock = mockFetch();

function lookUp(text: string) {
  const input = screen.getByLabelText('Look up a stock');
  fireEvent.change(input, { target: { value: text } });
  fireEvent.submit(input.closest('form') as HTMLFormElement);
  return input;
}

describe('StockLookup', () => {


  it('shows a member: status, sector, classification, tier, cap, float, returns, volume, rank, top list', async () => {
    fetchMock.mockResolvedValue(jsonResponse(MEMBER));
    render(<StockLookup />);
    expect(screen.getByTestId('stock-lookup')).toBeInTheDocument();

    const input = lookUp('aac');
    expect(input).toHaveValue('AAC');
    expect(fetchMock).toHaveBeenCalledWith('/api/stocks/AAC', expect.anything());

    const result = await screen.findByTestId('stock-result');
    expect(within(result).getByTestId('universe-status')).toHaveTextContent('In universe');
    expect(result).toHaveTextContent('Axita Software Co.');
    expect(within(result).getByTestId('lookup-sector')).toHaveTextContent('Technology');
    expect(within(result).getByTestId('lookup-sector')).toHaveTextContent('Good shorting');
    expect(within(result).getByTestId('lookup-classification')).toHaveTextContent('SIC code 7389 · 95% confidence');
    expect(within(result).getByTestId('lookup-tier')).toHaveTextContent('Small cap');
    expect(within(result).getByTestId('lookup-market-cap')).toHaveTextContent('$1.09B');
    expect(within(result).getByTestId('lookup-float')).toHaveTextContent('335.7M shares');
    const returns = within(result).getByTestId('lookup-returns');
    expect(returns).toHaveTextContent('30M▼ -0.36%');
    expect(returns).toHaveTextContent('1D▲ +1.08%');
    expect(returns).toHaveTextContent('1W▲ +5.66%');
    expect(within(result).getByTestId('lookup-relative-volume')).toHaveTextContent('1.50x');
    expect(within(result).getByTestId('lookup-rank-score')).toHaveTextContent('2.79');
    expect(within(result).getByTestId('lookup-exchange')).toHaveTextContent(/^NYSE$/);
    expect(within(result).getByTestId('lookup-top-list')).toHaveTextContent('#2 top bullish in Technology');
  });

  it('shows the exclusion reason of an excluded stock', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse({ detail: 'AAAI is not in the current universe: excluded by market_cap' }, 404, {
        'X-Exclusion-Reason': 'market_cap',
      }),
    );
    render(<StockLookup />);
    lookUp('AAAI');
    const result = await screen.findByTestId('stock-result');
    expect(within(result).getByTestId('universe-status')).toHaveTextContent('Excluded: Market cap');
    expect(within(result).getByTestId('exclusion-reason')).toHaveTextContent(
      'Not in the current universe. Market cap outside the micro and small cap range',
    );
    expect(result).not.toHaveTextContent('market_cap');
  });

  it('shows "not listed" for a 404 without an exclusion reason', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ detail: 'ZZZZ is not listed in the latest analysis' }, 404));
    render(<StockLookup />);
    lookUp('zzzz');
    const result = await screen.findByTestId('stock-result');
    expect(within(result).getByTestId('universe-status')).toHaveTextContent('Not listed');
    expect(result).toHaveTextContent('ZZZZ is not listed in the latest analysis');
  });

  it('validates the symbol inline without a request', () => {
    render(<StockLookup />);
    const input = lookUp('BAD SYMBOL!');
    expect(screen.getByTestId('lookup-validation')).toHaveTextContent('1–10 characters');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    lookUp('');
    expect(screen.getByTestId('lookup-validation')).toBeVisible();
    lookUp('ABCDEFGHIJK');
    expect(screen.getByTestId('lookup-validation')).toBeVisible();
    expect(fetchMock).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: 'brk.b' } });
    expect(input).toHaveValue('BRK.B');
    expect(screen.queryByTestId('lookup-validation')).not.toBeInTheDocument();
  });

  it('shows server errors with their message', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ detail: 'No analysis yet' }, 503));
    render(<StockLookup />);
    lookUp('AAC');
    expect(await screen.findByTestId('lookup-error')).toHaveTextContent('No analysis yet');
  });
});

describe('fetchStock', () => {

  it('returns the member tagged excluded: false, and throws ApiError with the detail on 422', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse(MEMBER));
    const found = await fetchStock('aac');
    expect(found.excluded).toBe(false);
    expect(found).toMatchObject({ symbol: 'AAC', in_universe: true });

    fetchMock.mockResolvedValueOnce(jsonResponse({ detail: 'path.symbol: String should match pattern' }, 422));
    await expect(fetchStock('A')).rejects.toMatchObject({
      name: 'ApiError',
      status: 422,
      message: 'path.symbol: String should match pattern',
    });
  });
});
