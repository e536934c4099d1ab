import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { REPLAY_POLL_MS } from './components/ReplayForm';
import type { StoredRuns } from './api/types';
import { jsonResponse, makeResponse, makeSector } from './test/fixtures';
import { mockFetch } from './test/env';
import { manualSource } from './test/source';

const RUN_ID = '6b1f3c52-2f0e-4c1a-9d3e-1a2b3c4d5e6f';
const PAST_AS_OF = '2016-03-04T20:55:00+00:00';
const LIVE_AS_OF = '2026-11-24T11:37:00+00:00';
const LATER_AS_OF = '2026-11-24T12:07:00+00:00';

const RUNS: StoredRuns = {
  limit: 50,
  before: null,
  count: 1,
  runs: [
    {
      run_id: RUN_ID,
      as_of: PAST_AS_OF,
      generated_at: '2026-11-24T10:00:00+00:00',
      trigger: 'cli',
      data_source: { provider: 'flatfiles', simulated: false, label: 'Replay of 2016-03-04', replay_of: '2016-03-04' },
    },
  ],
};

const PAST_GRID = makeResponse({
  run_id: RUN_ID,
  as_of: PAST_AS_OF,
  stale: true,
  freshness: 'stale',
  data_source: RUNS.runs[0]!.data_source,
  sectors: [makeSector('technology')],
});

const fetchMock = mockFetch();

function asOfShown(): string | null {
  return screen.getByTestId('as-of').getAttribute('dateTime');
}

async function openPastRun(): Promise<void> {
  fetchMock.mockImplementation((input) =>
    Promise.resolve(jsonResponse(String(input).startsWith('/api/runs?') ? RUNS : PAST_GRID)),
  );
  fireEvent.click(screen.getByTestId('history-toggle'));
  const runs = await screen.findByTestId('history-runs');
  expect(within(runs).getByRole('group', { name: '2016-03-04' })).toBeInTheDocument();
  fireEvent.click(screen.getByTestId('history-open'));
  await screen.findByTestId('historic-banner');
}

describe('history (time travel)', () => {
  it('opens a stored run read-only, marked not live', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse({ as_of: LIVE_AS_OF }) });
    expect(screen.queryByTestId('historic-banner')).not.toBeInTheDocument();

    await openPastRun();

    expect(fetchMock).toHaveBeenCalledWith(`/api/runs/${RUN_ID}/grid`, expect.anything());
    // The stored run is a replay: the banner says so.
    expect(screen.getByTestId('historic-banner')).toHaveTextContent('Replay of 2016-03-04 15:55 ET — not live');
    expect(asOfShown()).toBe(PAST_AS_OF);
    expect(screen.getAllByTestId('sector-card')).toHaveLength(1);
    expect(screen.getByTestId('replay-badge')).toHaveTextContent('Replay of 2016-03-04');
    expect(screen.getByTestId('stale-marker')).toBeInTheDocument();
  });

  it('keeps the past grid when a live update arrives, and Back to live shows the latest', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse({ as_of: LIVE_AS_OF }) });
    await openPastRun();

    source.emit({ kind: 'data', data: makeResponse({ as_of: LATER_AS_OF }) });
    expect(asOfShown()).toBe(PAST_AS_OF);
    expect(screen.getAllByTestId('sector-card')).toHaveLength(1);

    fireEvent.click(screen.getByTestId('back-to-live'));
    expect(screen.queryByTestId('historic-banner')).not.toBeInTheDocument();
    expect(asOfShown()).toBe(LATER_AS_OF);
    expect(screen.getAllByTestId('sector-card')).toHaveLength(8);
  });

  it('says how to replay a past session when no stored run is before the chosen time', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse() });
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse({ ...RUNS, count: 0, runs: [] })));
    fireEvent.click(screen.getByTestId('history-toggle'));
    // The picker's local date and time goes to the server as an instant.
    const chosen = '2016-03-04T15:55';
    fireEvent.change(screen.getByTestId('history-before'), { target: { value: chosen } });
    const before = new Date(chosen).toISOString();
    await waitFor(() =>
      expect(fetchMock).toHaveBeenLastCalledWith(
        `/api/runs?limit=50&before=${encodeURIComponent(before)}`,
        expect.anything(),
      ),
    );
    expect(await screen.findByTestId('history-empty')).toHaveTextContent('No stored run before then');
    expect(screen.getByTestId('history-hint')).toHaveTextContent('sectorlights replay --date');
    expect(screen.getByTestId('history-open')).toBeDisabled();
  });

  it('says "Viewing" for a stored live run', async () => {
    const source = manualSource();
    render(<App source={source} />);
    source.emit({ kind: 'data', data: makeResponse({ as_of: LIVE_AS_OF }) });
    const live = { provider: 'simulated', simulated: true, label: 'Simulated data', replay_of: null };
    const liveRun = { ...RUNS.runs[0]!, trigger: 'startup' as const, data_source: live };
    fetchMock.mockImplementation((input) =>
      Promise.resolve(
        jsonResponse(
          String(input).startsWith('/api/runs?')
            ? { ...RUNS, runs: [liveRun] }
            : makeResponse({ run_id: RUN_ID, as_of: PAST_AS_OF, stale: true, data_source: live }),
        ),
      ),
    );
    fireEvent.click(screen.getByTestId('history-toggle'));
    await screen.findByTestId('history-runs');
    fireEvent.click(screen.getByTestId('history-open'));
    expect(await screen.findByTestId('historic-banner')).toHaveTextContent('Viewing 2016-03-04 15:55 ET — not live');
  });
});

describe('replaying a past session from the history', () => {
  const REPLAY_ID = '0b6c2f0e-7a51-4c3e-9d2b-5f1e8a9c4d3b';
  const REPLAY_AS_OF = '2017-11-09T21:00:00+00:00';
  const REPLAYED = { provider: 'flatfiles', simulated: false, label: 'Replay of 2017-11-09', replay_of: '2017-11-09' };

  function server(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = String(input);
    if (url === '/api/replays' && init?.method === 'POST') {
      return Promise.resolve(
        jsonResponse(
          {
            run_id: REPLAY_ID,
            status: 'running',
            stage: 'queued',
            progress_pct: 0,
            trigger: 'replay',
            session: '2017-11-09',
            as_of: REPLAY_AS_OF,
          },
          202,
        ),
      );
    }
    if (url === `/api/analysis/${REPLAY_ID}`) {
      return Promise.resolve(
        jsonResponse({
          run_id: REPLAY_ID,
          trigger: 'replay',
          status: 'succeeded',
          stage: 'done',
          progress_pct: 100,
          provider: 'flatfiles',
          started_at: '2026-12-04T09:00:00Z',
          finished_at: '2026-12-04T09:00:03Z',
          as_of: REPLAY_AS_OF,
          universe_size: 42,
          error: null,
        }),
      );
    }
    if (url === `/api/runs/${REPLAY_ID}/grid`) {
      return Promise.resolve(
        jsonResponse(
          makeResponse({
            run_id: REPLAY_ID,
            as_of: REPLAY_AS_OF,
            stale: true,
            data_source: REPLAYED,
            sectors: [makeSector('energy'), makeSector('technology')],
          }),
        ),
      );
    }
    return Promise.resolve(jsonResponse({ ...RUNS, count: 0, runs: [] }));
  }

  it('opens the replay under a "Replay of <date> <time> ET — not live" banner, then goes back to live', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const source = manualSource();
      render(<App source={source} />);
      source.emit({ kind: 'data', data: makeResponse({ as_of: LIVE_AS_OF }) });
      fetchMock.mockImplementation(server);
      fireEvent.click(screen.getByTestId('history-toggle'));
      fireEvent.change(await screen.findByTestId('replay-date'), { target: { value: '2017-11-09' } });
      fireEvent.click(screen.getByTestId('replay-submit'));
      // Poll until the replay's run is read back: a loaded machine may need more than one interval.
      const banner = await vi.waitFor(
        async () => {
          await act(() => vi.advanceTimersByTimeAsync(REPLAY_POLL_MS));
          return screen.getByTestId('historic-banner');
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(banner).toHaveTextContent('Replay of 2017-11-09 16:00 ET — not live');
      expect(screen.queryByTestId('history-panel')).not.toBeInTheDocument();
      expect(asOfShown()).toBe(REPLAY_AS_OF);
      expect(screen.getAllByTestId('sector-card')).toHaveLength(2);
      expect(screen.getByTestId('replay-badge')).toHaveTextContent('Replay of 2017-11-09');

      // A live update does not replace the replay; Back to live shows the live grid.
      source.emit({ kind: 'data', data: makeResponse({ as_of: LATER_AS_OF }) });
      expect(asOfShown()).toBe(REPLAY_AS_OF);
      fireEvent.click(screen.getByTestId('back-to-live'));
      expect(screen.queryByTestId('historic-banner')).not.toBeInTheDocument();
      expect(asOfShown()).toBe(LATER_AS_OF);
      expect(screen.getAllByTestId('sector-card')).toHaveLength(8);
    } finally {
      vi.useRealTimers();
    }
  });
});
