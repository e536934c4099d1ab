import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { jsonResponse, makeResponse } from '../test/fixtures';
import { mockFetch } from '../test/env';
import { DEFAULT_REPLAY_TIME, ReplayForm } from './ReplayForm';

const RUN_ID = '9c0d7c1e-5b8f-4a44-8f33-2d6f0e4b7a10';
const REPLAYED = { provider: 'flatfiles', simulated: false, label: 'Replay of 2017-11-09', replay_of: '2017-11-09' };
const GRID = makeResponse({ run_id: RUN_ID, as_of: '2017-11-09T21:00:00Z', stale: true, data_source: REPLAYED });

function started() {
  return {
    run_id: RUN_ID,
    status: 'running',
    stage: 'queued',
    progress_pct: 0,
    trigger: 'replay',
    session: '2017-11-09',
    as_of: '2017-11-09T21:00:00Z',
  };
}

function runBody(status: string, stage: string, progress_pct: number, error: string | null = null) {
  return {
    run_id: RUN_ID,
    trigger: 'replay',
    status,
    stage,
    progress_pct,
    provider: 'flatfiles',
    started_at: '2026-12-04T09:00:00Z',
    finished_at: status === 'running' ? null : '2026-12-04T09:00:03Z',
    as_of: status === 'succeeded' ? '2017-11-09T21:00:00Z' : null,
    universe_size: status === 'succeeded' ? 42 : null,
    error,
  };
}

const fetchMock = mockFetch({ fakeTimers: true });

function fill(date: string, time?: string): void {
  fireEvent.change(screen.getByTestId('replay-date'), { target: { value: date } });
  if (time !== undefined) fireEvent.change(screen.getByTestId('replay-time'), { target: { value: time } });
}

function postedBody(): unknown {
  const [url, init] = fetchMock.mock.calls[0]!;
  expect(url).toBe('/api/replays');
  expect(init?.method).toBe('POST');
  return JSON.parse(String(init?.body));
}

describe('ReplayForm', () => {
  it('needs a date; the time defaults to the 16:00 close', () => {
    render(<ReplayForm onOpen={vi.fn()} />);
    expect(screen.getByRole('group', { name: 'Replay a past session' })).toBeInTheDocument();
    expect(screen.getByTestId('replay-time')).toHaveValue(DEFAULT_REPLAY_TIME);
    expect(DEFAULT_REPLAY_TIME).toBe('16:00');
    expect(screen.getByTestId('replay-submit')).toBeDisabled();
    fill('2017-11-09');
    expect(screen.getByTestId('replay-submit')).toBeEnabled();
  });

  it('replays, shows its progress while busy, then opens the stored grid', async () => {
    fetchMock
      .mockResolvedValueOnce(jsonResponse(started(), 202))
      .mockResolvedValueOnce(jsonResponse(runBody('running', 'daily_bars', 25)))
      .mockResolvedValueOnce(jsonResponse(runBody('succeeded', 'done', 100)))
      .mockResolvedValueOnce(jsonResponse(GRID));
    const onOpen = vi.fn();
    render(<ReplayForm onOpen={onOpen} />);
    fill('2017-11-09', '15:30');
    fireEvent.click(screen.getByTestId('replay-submit'));

    expect(postedBody()).toEqual({ date: '2017-11-09', time: '15:30' });
    expect(screen.getByTestId('replay-submit')).toBeDisabled();
    expect(screen.getByTestId('replay-submit')).toHaveTextContent('Replaying…');
    expect(screen.getByTestId('replay-date')).toBeDisabled();
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.getByRole('progressbar', { name: 'Replay progress' })).toHaveAttribute('aria-valuenow', '0');

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(fetchMock).toHaveBeenLastCalledWith(`/api/analysis/${RUN_ID}`, expect.anything());
    expect(screen.getByTestId('replay-stage')).toHaveTextContent('Daily bars · 25%');
    expect(onOpen).not.toHaveBeenCalled();

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(fetchMock).toHaveBeenLastCalledWith(`/api/runs/${RUN_ID}/grid`, expect.anything());
    expect(onOpen).toHaveBeenCalledWith(GRID);
    expect(screen.queryByTestId('replay-progress')).not.toBeInTheDocument();
    expect(screen.getByTestId('replay-submit')).toBeEnabled();

    // Nothing more is polled once the replay is open.
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(fetchMock).toHaveBeenCalledTimes(4);
  });

  it.each([
    [422, 'date: 2017-11-11 is not a NYSE session (weekend, holiday or outside the calendar)'],
    [422, 'date: no imported day bars for 2016-06-24: import day_aggs_v1/2016/06/2016-06-24.csv.gz'],
    [409, 'busy: the replay of 2017-11-10T16:00:00-05:00 (run x) is still running'],
    [429, 'too many requests for user local: at most 6 a minute; retry in 10 s'],
  ])('shows the server refusal (%i) as it says it, and can be sent again', async (status, detail) => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ detail }, status));
    const onOpen = vi.fn();
    render(<ReplayForm onOpen={onOpen} />);
    fill('2017-11-11');
    fireEvent.click(screen.getByTestId('replay-submit'));
    await act(() => vi.advanceTimersByTimeAsync(0));

    expect(screen.getByRole('alert')).toHaveTextContent(detail);
    expect(screen.queryByTestId('replay-progress')).not.toBeInTheDocument();
    expect(screen.getByTestId('replay-submit')).toBeEnabled();
    expect(onOpen).not.toHaveBeenCalled();
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('shows why a replay that started then failed', async () => {
    fetchMock
      .mockResolvedValueOnce(jsonResponse(started(), 202))
      .mockResolvedValueOnce(jsonResponse(runBody('failed', 'failed', 100, 'ProviderError: no listings')));
    const onOpen = vi.fn();
    render(<ReplayForm onOpen={onOpen} />);
    fill('2017-11-09');
    fireEvent.click(screen.getByTestId('replay-submit'));
    await act(() => vi.advanceTimersByTimeAsync(0));
    await act(() => vi.advanceTimersByTimeAsync(1000));

    expect(screen.getByTestId('replay-error')).toHaveTextContent('ProviderError: no listings');
    expect(screen.getByTestId('replay-submit')).toBeEnabled();
    expect(onOpen).not.toHaveBeenCalled();
  });

  it('sends no time when the field is cleared (the server takes the session close)', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ detail: 'refused' }, 422));
    render(<ReplayForm onOpen={vi.fn()} />);
    fill('2017-11-09', '');
    fireEvent.click(screen.getByTestId('replay-submit'));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(postedBody()).toEqual({ date: '2017-11-09', time: null });
  });
});
