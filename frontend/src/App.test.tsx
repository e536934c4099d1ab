import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { jsonResponse, makeResponse } from './test/fixtures';

const fetchMock = vi.fn<typeof fetch>();

describe('App', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    fetchMock.mockReset();
  });

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
    expect(cards.map((card) => card.dataset.sector)).toEqual([
      'technology',
      'healthcare',
      'energy',
      'financial',
      'consumer_discretionary',
      'industrials',
      'materials',
      'utilities',
    ]);
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
