import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_HEATMAP_QUERY, heatmapUrl } from '../api/heatmap';
import type { HeatmapPage } from '../api/types';
import { OpenStockProvider } from '../stock/open';
import { mockFetch } from '../test/env';
import { jsonResponse } from '../test/fixtures';
import HeatmapPanel, { HEATMAP_QUERY_KEY } from './HeatmapPanel';

const LABELS = { energy: 'Energy', technology: 'Technology' } as const;

function page(overrides: Partial<HeatmapPage> = {}): HeatmapPage {
  return {
    run_id: 'r1',
    as_of: '2026-11-24T11:37:00Z',
    timeframe: '1d',
    size_by: 'market_cap',
    member_count: 3,
    unsized_count: 0,
    sectors: [
      {
        sector: 'energy',
        label: 'Energy',
        color: 'light_red',
        signal: 'GOOD_SHORTING_ENVIRONMENT',
        change_pct: -1.2,
        missing_reason: null,
        size_total: 3e9,
        members: [
          { symbol: 'BIG', name: 'Big Oil', market_cap: 2e9, float_shares: 1e8, size_value: 2e9, change_pct: -4.2 },
          { symbol: 'MID', name: 'Mid Gas', market_cap: 1e9, float_shares: null, size_value: 1e9, change_pct: 2.5 },
        ],
      },
      {
        sector: 'technology',
        label: 'Technology',
        color: 'light_green',
        signal: 'AVOID_SHORTS',
        change_pct: null,
        missing_reason: 'market closed',
        size_total: 5e8,
        members: [{ symbol: 'CHIP', name: 'Chip Co', market_cap: 5e8, float_shares: 4e7, size_value: 5e8, change_pct: null }],
      },
    ],
    ...overrides,
  };
}

describe('heatmapUrl', () => {
  it.each([
    [{}, '/api/heatmap?timeframe=1d&size_by=market_cap'],
    [{ sector: 'energy' as const, timeframe: '30m' as const, sizeBy: 'float' as const }, '/api/heatmap?timeframe=30m&size_by=float&sector=energy'],
  ])('%o → %s', (change, url) => {
    expect(heatmapUrl({ ...DEFAULT_HEATMAP_QUERY, ...change })).toBe(url);
  });
});

describe('HeatmapPanel', () => {
  const fetchMock = mockFetch();
  beforeEach(() => localStorage.removeItem(HEATMAP_QUERY_KEY));
  const urls = () => fetchMock.mock.calls.map(([url]) => String(url));

  it('draws a tile per sized member, areas by size, coloured by change, each opening its stock', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(page())));
    const open = vi.fn();
    render(
      <OpenStockProvider value={open}>
        <HeatmapPanel labels={LABELS} refreshKey="a" onClose={() => {}} />
      </OpenStockProvider>,
    );
    const tiles = await screen.findAllByTestId('heatmap-tile');
    expect(tiles.map((tile) => tile.dataset.symbol)).toEqual(['BIG', 'MID', 'CHIP']);
    const areas = tiles.map((tile) => Number(tile.dataset.area));
    expect(areas[0]! / areas[1]!).toBeCloseTo(2, 1);
    expect(tiles[0]).toHaveAccessibleName(/BIG \(Big Oil\), Energy: -4\.20% over 1D, market cap \$2B/);
    // 4.2 of the 1D full scale of 5: 84 % of the way from slate (100, 116, 139) to red (185, 28, 28).
    expect(tiles[0]!.style.background).toBe('rgb(171, 42, 46)');
    expect(tiles[2]).toHaveAccessibleName(/no change figure/);
    fireEvent.click(tiles[1]!);
    expect(open).toHaveBeenCalledExactlyOnceWith('MID');
    expect(screen.getByTestId('heatmap-missing')).toHaveTextContent('Technology: no 1D figure (market closed)');
    expect(screen.getByTestId('heatmap-summary')).toHaveTextContent('3 members · market cap sizes · 1D change');
  });

  it('asks again for the chosen sector, timeframe and size, keeps the choice, and lists unsized members', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(page())));
    render(<HeatmapPanel labels={LABELS} refreshKey="a" onClose={() => {}} />);
    await screen.findAllByTestId('heatmap-tile');
    const unsized = page({ size_by: 'float', unsized_count: 1 });
    unsized.sectors[0]!.members[1] = { ...unsized.sectors[0]!.members[1]!, size_value: null };
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(unsized)));
    fireEvent.change(screen.getByTestId('heatmap-size-by'), { target: { value: 'float' } });
    fireEvent.change(screen.getByTestId('heatmap-sector-select'), { target: { value: 'energy' } });
    fireEvent.change(screen.getByTestId('heatmap-timeframe'), { target: { value: '1w' } });
    await waitFor(() => expect(urls().at(-1)).toBe('/api/heatmap?timeframe=1w&size_by=float&sector=energy'));
    expect(await screen.findByTestId('heatmap-unsized')).toHaveTextContent('No float known, not drawn (1): MID');
    expect(JSON.parse(localStorage.getItem(HEATMAP_QUERY_KEY)!)).toEqual({ sector: 'energy', timeframe: '1w', sizeBy: 'float' });
  });

  it('says there is no analysis yet on a 409, and keeps the last map on a later failure', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse({ detail: 'No analysis yet' }, 409)));
    const { rerender } = render(<HeatmapPanel labels={LABELS} refreshKey="a" onClose={() => {}} />);
    expect(await screen.findByTestId('heatmap-error')).toHaveTextContent('No analysis yet');
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(page())));
    rerender(<HeatmapPanel labels={LABELS} refreshKey="b" onClose={() => {}} />);
    await screen.findAllByTestId('heatmap-tile');
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse({ detail: 'database down' }, 503)));
    rerender(<HeatmapPanel labels={LABELS} refreshKey="c" onClose={() => {}} />);
    expect(await screen.findByTestId('heatmap-error')).toHaveTextContent('database down (HTTP 503) Showing the last map received.');
    expect(screen.getAllByTestId('heatmap-tile')).toHaveLength(3);
  });

  it('closes on Escape', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(page())));
    const onClose = vi.fn();
    render(<HeatmapPanel labels={LABELS} refreshKey="a" onClose={onClose} />);
    await screen.findAllByTestId('heatmap-tile');
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledOnce();
  });
});
