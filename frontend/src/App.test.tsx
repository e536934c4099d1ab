import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api/client';
import { App } from './App';
import { CHANGE_HIGHLIGHT_MS } from './components/SectorCard';
import { SECTOR_ORDER, TIMEFRAMES } from './constants';
import { jsonResponse, makeColourHistory, makeResponse } from './test/fixtures';
import { mockFetch } from './test/env';
import { manualSource } from './test/source';

// Every card draws one TimeframeCell per timeframe: counting them counts card renders.
const cells = vi.hoisted(() => ({ rendered: 0 }));
vi.mock('./components/TimeframeCell', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./components/TimeframeCell')>();
  return {
    TimeframeCell: (props: Parameters<typeof actual.TimeframeCell>[0]) => {
      cells.rendered += 1;
      return actual.TimeframeCell(props);
    },
  };
});

const fetchMock = mockFetch({ fakeTimers: true });

describe('App', () => {

  it('shows the 503 detail, then the grid once data arrives', async () => {
    fetchMock
      .mockResolvedValueOnce(jsonResponse({ detail: 'No analysis yet — first run in progress' }, 503))
      .mockResolvedValue(jsonResponse(makeResponse()));

    render(<App />);
    expect(await screen.findByText('No analysis yet — first run in progress')).toBeInTheDocument();
    expect(screen.queryByTestId('sector-card')).not.toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith('/api/sectors', expect.anything());

    await act(() => vi.advanceTimersByTimeAsync(3_000));

    const cards = await screen.findAllByTestId('sector-card');
    expect(cards.map((card) => card.dataset.sector)).toEqual(SECTOR_ORDER);
    expect(screen.queryByText('No analysis yet — first run in progress')).not.toBeInTheDocument();
    expect(screen.getByTestId('simulated-badge')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('keeps the last good data, marked stale, when a refresh fails', async () => {
    fetchMock
      .mockResolvedValueOnce(jsonResponse(makeResponse()))
      .mockResolvedValueOnce(jsonResponse({ detail: 'Upstream provider timed out' }, 502));

    render(<App />);
    expect(await screen.findAllByTestId('sector-card')).toHaveLength(8);
    expect(screen.queryByTestId('stale-marker')).not.toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(30_000));

    expect(await screen.findByRole('alert')).toHaveTextContent('Upstream provider timed out');
    expect(screen.getAllByTestId('sector-card')).toHaveLength(8);
    expect(screen.getByTestId('stale-marker')).toBeInTheDocument();
    expect(document.title).toMatch(/^⚠ Stale.* · \d\d:\d\d ET · SectorLights$/);
  });

  it('reports a network error when there is no data yet', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));

    render(<App />);
    expect(screen.getByTestId('status-loading')).toBeInTheDocument();
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the server');
    expect(screen.queryByTestId('status-loading')).not.toBeInTheDocument();
  });
});

describe('App colour history', () => {
  it('loads the colour history once and shows each card its line, and what the colours are', async () => {
    const load = vi.fn(() => Promise.resolve(makeColourHistory()));
    const source = manualSource();
    render(<App source={source} loadColourHistory={load} />);
    source.emit({ kind: 'data', data: makeResponse() });
    const lines = await screen.findAllByTestId('card-history');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toHaveTextContent(/^Historically: no edge — next session up 55 % after dark green/);
    expect(screen.getByTestId('colour-note')).toHaveTextContent(
      'Colours describe how each sector moved against IWM over the last 30 minutes, day, 3 days and week; they are not a forecast. On real history (S&P 600 small caps 2016–17) they have not predicted the next session.',
    );
    source.emit({ kind: 'data', data: makeResponse() });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('shows the grid without the lines when the history cannot be loaded', async () => {
    const source = manualSource();
    render(<App source={source} loadColourHistory={() => Promise.reject(new TypeError('Failed to fetch'))} />);
    source.emit({ kind: 'data', data: makeResponse() });
    expect(screen.getAllByTestId('sector-card')).toHaveLength(8);
    await act(() => vi.advanceTimersByTimeAsync(10));
    expect(screen.queryByTestId('card-history')).toBeNull();
    expect(screen.getByTestId('colour-note')).toHaveTextContent(/they are not a forecast\.$/);
  });
});

describe('App rendering', () => {
  const cardRenders = (cards: number) => cards * TIMEFRAMES.length;

  it('re-renders no card on a clock tick or an event for the rest of the page, only the card an update is about', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse() });
    expect(screen.getAllByTestId('sector-card')).toHaveLength(8);
    const rendered = cells.rendered;
    const age = screen.getByTestId('data-age').textContent;

    await act(() => vi.advanceTimersByTimeAsync(3 * 60_000));
    source.emit({ kind: 'progress', run_id: 'r', stage: 'minute_bars', percent: 40 });
    source.emit({
      kind: 'move',
      move: { symbol: 'SOUN', change_pct: -20, previous_close: 5, price: 4, direction: 'down', sector: 'technology' },
    });
    // The clock is still shown, by what shows it.
    expect(screen.getByTestId('data-age').textContent).not.toBe(age);
    expect(screen.getByTestId('move-alert')).toBeInTheDocument();
    expect(cells.rendered).toBe(rendered);

    source.emit({
      kind: 'change',
      as_of: makeResponse().as_of,
      sectors: [{ sector: 'energy', previous_color: 'dark_green', color: 'dark_red', previous_score: 0.6, score: -0.6 }],
    });
    expect(cells.rendered).toBe(rendered + cardRenders(1));
    // The energy card once more when its highlight ends; nothing in between.
    await act(() => vi.advanceTimersByTimeAsync(CHANGE_HIGHLIGHT_MS));
    expect(cells.rendered).toBe(rendered + cardRenders(2));
  });

  it.each([
    // [connection, a refresh failed, grid freshness, the one status word, recommendation shown]
    ['connected', false, 'fresh', 'fresh', true],
    ['connected', true, 'fresh', '⚠ stale', false],
    ['offline', true, 'fresh', '⚠ stale', false],
    ['offline', false, 'fresh', null, false],
    ['reconnecting', false, 'aging', null, false],
    ['connected', false, 'stale', '⚠ stale', true],
  ] as const)(
    'the header says one thing about the grid: %s, failed %s, %s',
    (state, failed, freshness, word, recommended) => {
      const source = manualSource();
      render(<App source={source} />);
      source.emit({ kind: 'data', data: makeResponse({ freshness, stale: freshness === 'stale', recommendation: 'Analysis is current.' }) });
      source.emit({ kind: 'connection', state, attempt: state === 'connected' ? 0 : 5 });
      if (failed) source.emit({ kind: 'error', error: new ApiError('Upstream provider timed out', 502) });
      const header = document.querySelector('.app-header') as HTMLElement;
      const words = [...header.querySelectorAll('.freshness, .stale-marker')].map((chip) => chip.textContent);
      expect(words).toEqual(word === null ? [] : [word]);
      // Every freshness chip (the header's and the analysis panel's) and the stale marker: one at most.
      expect(screen.queryByText('Analysis is current.') !== null).toBe(recommended);
    },
  );
});
