import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { SectorNews as SectorNewsBody } from '../api/types';
import { mockFetch } from '../test/env';
import { jsonResponse } from '../test/fixtures';
import { makeArticle } from '../test/trader';
import { OpenStockProvider } from './open';
import SectorNews, { densityText } from './SectorNews';

function body(overrides: Partial<SectorNewsBody> = {}): SectorNewsBody {
  return {
    sector: 'healthcare',
    run_id: 'run-1',
    as_of: '2026-11-24T09:05:00Z',
    since: '2026-11-23T21:00:00Z',
    until: '2026-11-24T09:05:00Z',
    catalyst: {
      catalyst_density: { '30m': 1, '1d': 1.0625, '3d': 1.02, '1w': 1 },
      news_articles: 3,
      news_net_sentiment: 0.3333,
    },
    count: 2,
    items: [
      { ...makeArticle(), ticker: 'GAPR' },
      { ...makeArticle({ id: 'n2', title: 'Sector ETF slips', sentiment: 'negative', url: null }), ticker: 'XLV' },
    ],
    ...overrides,
  };
}

describe('SectorNews', () => {
  const fetchMock = mockFetch();

  it('says what the news did to the score, and lists each article with the ticker it names', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(body())));
    const open = vi.fn();
    render(
      <OpenStockProvider value={open}>
        <SectorNews sector="healthcare" />
      </OpenStockProvider>,
    );
    expect(await screen.findByTestId('catalyst-summary')).toHaveTextContent(
      '3 articles, net sentiment +0.33 (more positive than negative).News factor on the score: 30M ×1.00 · 1D ×1.06 · 3D ×1.02 · 1W ×1.00',
    );
    const items = screen.getAllByTestId('news-item');
    expect(items[0]).toHaveTextContent('▲ Positive toward GAPR · Newswire');
    expect(items[1]).toHaveTextContent('▼ Negative toward XLV');
    fireEvent.click(within(items[0]!).getByRole('button', { name: 'GAPR' }));
    expect(open).toHaveBeenCalledWith('GAPR', undefined);
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/sectors/healthcare/news?limit=30');
  });

  it('says when no article names a member, and when the news could not be read', async () => {
    fetchMock.mockImplementationOnce(() => Promise.resolve(jsonResponse(body({ catalyst: null, count: 0, items: [] }))));
    const { unmount } = render(<SectorNews sector="healthcare" />);
    expect(await screen.findByTestId('sector-news-empty')).toHaveTextContent(
      'No article names a member since 2026-11-23 16:00 ET.',
    );
    expect(screen.queryByTestId('catalyst-summary')).toBeNull();
    unmount();
    fetchMock.mockImplementationOnce(() => Promise.resolve(jsonResponse({ detail: 'News vendor unavailable' }, 503)));
    render(<SectorNews sector="healthcare" />);
    expect(await screen.findByTestId('sector-news-error')).toHaveTextContent('Could not load the news: News vendor unavailable');
  });

  it.each([
    [1, '×1.00'],
    [0.9, '×0.90'],
    [undefined, '—'],
  ])('density %s reads %s', (value, text) => {
    expect(densityText(value)).toBe(text);
  });
});
