import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fetchLatestAnalysis, RateLimitedError, startAnalysis } from '../api/actions';
import { jsonResponse } from '../test/fixtures';
import type { RunProgress } from '../api/types';
import { AnalysisControls, VIEWED_NOTICE_MS } from './AnalysisControls';
import { mockFetch } from '../test/env';

const RUN_ID = '01f503fc-2dc2-4395-8d74-95cc3918ff61';

function started(overrides: Record<string, unknown> = {}) {
  return {
    run_id: RUN_ID,
    status: 'running',
    stage: 'queued',
    progress_pct: 0,
    trigger: 'on_demand',
    joined: false,
    ...overrides,
  };
}

function runBody(status: string, stage: string, progress_pct: number, error: string | null = null) {
  return {
    run_id: RUN_ID,
    trigger: 'on_demand',
    status,
    stage,
    progress_pct,
    provider: 'simulated',
    started_at: '2026-12-02T00:20:52.543112Z',
    finished_at: status === 'running' ? null : '2026-12-02T00:20:52.695862Z',
    as_of: '2026-11-24T11:37:00Z',
    universe_size: 320,
    error,
  };
}

const fetchMock = mockFetch({ fakeTimers: true });

function progressbar() {
  return screen.getByRole('progressbar');
}

describe('AnalysisControls', () => {


  it('shows the recommendation, not a second freshness chip (the header has it); "View cached" calls onRefresh', () => {
    const onRefresh = vi.fn();
    render(<AnalysisControls freshness="aging" recommendation="Refresh recommended" onRefresh={onRefresh} />);
    expect(screen.queryByTestId('analysis-freshness')).not.toBeInTheDocument();
    expect(screen.queryByText('aging')).not.toBeInTheDocument();
    expect(screen.getByTestId('analysis-recommendation')).toHaveTextContent('Refresh recommended');
    fireEvent.click(screen.getByTestId('view-cached'));
    expect(onRefresh).toHaveBeenCalledTimes(1);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('polls the run every second until it succeeds; progress reaches 100 and the button re-enables', async () => {
    const onRefresh = vi.fn();
    fetchMock
      .mockResolvedValueOnce(jsonResponse(started(), 202))
      .mockResolvedValueOnce(jsonResponse(runBody('running', 'daily_bars', 25)))
      .mockResolvedValueOnce(jsonResponse(runBody('running', 'classification', 65)))
      .mockResolvedValueOnce(jsonResponse(runBody('succeeded', 'done', 100)));
    render(<AnalysisControls freshness="stale" recommendation="Analysis is stale" onRefresh={onRefresh} />);

    const button = screen.getByTestId('run-fresh');
    fireEvent.click(button);
    expect(button).toBeDisabled();
    expect(fetchMock).toHaveBeenCalledWith('/api/analysis', expect.objectContaining({ method: 'POST' }));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.getByTestId('analysis-progress')).toBeVisible();
    expect(progressbar()).toHaveAttribute('aria-valuenow', '0');

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(fetchMock).toHaveBeenLastCalledWith(`/api/analysis/${RUN_ID}`, expect.anything());
    expect(progressbar()).toHaveAttribute('aria-valuenow', '25');
    expect(screen.getByTestId('analysis-stage')).toHaveTextContent('Daily bars · 25%');
    expect(button).toBeDisabled();

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(progressbar()).toHaveAttribute('aria-valuenow', '65');
    expect(screen.getByTestId('analysis-stage')).toHaveTextContent('Classification');

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(progressbar()).toHaveAttribute('aria-valuenow', '100');
    expect(screen.getByTestId('analysis-stage')).toHaveTextContent('Done');
    expect(button).toBeEnabled();
    expect(button).toHaveTextContent('Run fresh analysis');
    expect(onRefresh).toHaveBeenCalledTimes(1);

    // No more polling once the run is over.
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(fetchMock).toHaveBeenCalledTimes(4);
  });

  it('follows live progress events of its run instead of polling', async () => {
    const onRefresh = vi.fn();
    fetchMock.mockResolvedValueOnce(jsonResponse(started(), 202));
    const props = { freshness: 'fresh' as const, recommendation: 'Analysis is current.', onRefresh };
    const { rerender } = render(<AnalysisControls {...props} progress={null} />);
    fireEvent.click(screen.getByTestId('run-fresh'));
    await act(() => vi.advanceTimersByTimeAsync(0));

    const event = (stage: string, percent: number): RunProgress => ({ run_id: RUN_ID, stage, percent });
    rerender(<AnalysisControls {...props} progress={{ ...event('minute_bars', 40), run_id: 'another-run' }} />);
    expect(progressbar()).toHaveAttribute('aria-valuenow', '0');

    rerender(<AnalysisControls {...props} progress={event('minute_bars', 40)} />);
    expect(progressbar()).toHaveAttribute('aria-valuenow', '40');
    expect(screen.getByTestId('analysis-stage')).toHaveTextContent('Minute bars · 40%');
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(fetchMock).toHaveBeenCalledTimes(1);

    rerender(<AnalysisControls {...props} progress={event('done', 100)} />);
    expect(progressbar()).toHaveAttribute('aria-valuenow', '100');
    expect(screen.getByTestId('run-fresh')).toBeEnabled();
    expect(onRefresh).toHaveBeenCalledTimes(1);
  });

  it('shows a failed run with its error and re-enables the button', async () => {
    fetchMock
      .mockResolvedValueOnce(jsonResponse(started({ joined: true, stage: 'daily_bars', progress_pct: 25 }), 202))
      .mockResolvedValueOnce(jsonResponse(runBody('failed', 'failed', 100, 'provider timed out')));
    const onRefresh = vi.fn();
    render(<AnalysisControls freshness="fresh" recommendation="ok" onRefresh={onRefresh} />);
    fireEvent.click(screen.getByTestId('run-fresh'));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(progressbar()).toHaveAttribute('aria-valuenow', '25');
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(screen.getByTestId('analysis-error')).toHaveTextContent('provider timed out');
    expect(screen.getByTestId('run-fresh')).toBeEnabled();
    expect(onRefresh).not.toHaveBeenCalled();
  });

  it('shows the 429 message and stays usable', async () => {
    fetchMock.mockResolvedValueOnce(
      jsonResponse({ detail: 'too many requests for user local: at most 6 a minute; retry in 4 s' }, 429, {
        'Retry-After': '4',
      }),
    );
    render(<AnalysisControls freshness="fresh" recommendation="ok" onRefresh={vi.fn()} />);
    fireEvent.click(screen.getByTestId('run-fresh'));
    await act(() => vi.advanceTimersByTimeAsync(0));
    const error = screen.getByTestId('analysis-error');
    // Plain words and when to try again; the server's wording only in the tooltip.
    expect(error).toHaveTextContent('Too many analysis requests just now — try again in 4 s.');
    expect(error).not.toHaveTextContent(/user|local|rate limit/i);
    expect(error).toHaveAttribute('title', expect.stringContaining('at most 6 a minute'));
    // In the fixed feedback line, not a new block pushing the page down.
    expect(screen.getByTestId('analysis-feedback')).toContainElement(error);
    expect(screen.getByTestId('run-fresh')).toBeEnabled();
    expect(screen.queryByTestId('analysis-progress')).not.toBeInTheDocument();
  });

  it('says what "View cached" did, for a while, in the feedback line', () => {
    const onRefresh = vi.fn();
    render(<AnalysisControls freshness="fresh" recommendation="ok" onRefresh={onRefresh} />);
    expect(screen.queryByTestId('view-cached-note')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId('view-cached'));
    expect(onRefresh).toHaveBeenCalledTimes(1);
    const note = screen.getByTestId('view-cached-note');
    expect(note).toHaveTextContent('Showing the latest saved analysis');
    expect(screen.getByTestId('analysis-feedback')).toContainElement(note);
    act(() => vi.advanceTimersByTime(VIEWED_NOTICE_MS));
    expect(screen.queryByTestId('view-cached-note')).not.toBeInTheDocument();
  });

  it('keeps the progress in the feedback line and the button its width label', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse(started(), 202));
    render(<AnalysisControls freshness="fresh" recommendation="ok" onRefresh={vi.fn()} />);
    const button = screen.getByTestId('run-fresh');
    fireEvent.click(button);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.getByTestId('analysis-feedback')).toContainElement(screen.getByTestId('analysis-progress'));
    expect(button).toHaveAccessibleName('Running…');
    expect(button.querySelector('.button-sizer')).toHaveTextContent('Run fresh analysis');
  });

  it('shows other start errors with the server message', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ detail: 'Analysis service unavailable' }, 503));
    render(<AnalysisControls freshness={null} recommendation={null} onRefresh={vi.fn()} />);
    expect(screen.getByTestId('analysis-freshness')).toHaveTextContent('no analysis');
    fireEvent.click(screen.getByTestId('run-fresh'));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.getByTestId('analysis-error')).toHaveTextContent('Analysis service unavailable');
  });
});

describe('analysis actions', () => {


  it('startAnalysis throws RateLimitedError with Retry-After on 429', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ detail: 'slow down' }, 429, { 'Retry-After': '6' }));
    const failure = await startAnalysis().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RateLimitedError);
    expect(failure).toMatchObject({ status: 429, message: 'slow down', retryAfterSecs: 6 });
  });

  it('fetchLatestAnalysis returns the body and throws ApiError with the detail on 404', async () => {
    const latest = {
      run: runBody('succeeded', 'done', 100),
      last_error: null,
      next_scheduled: [{ at: '2026-11-24T07:00:00-05:00', kind: 'intraday' }],
      grid_run_id: RUN_ID,
      as_of: '2026-11-24T11:37:00Z',
      age_secs: 0,
      freshness: 'fresh',
      recommendation: 'Analysis is current.',
    };
    fetchMock.mockResolvedValueOnce(jsonResponse(latest));
    await expect(fetchLatestAnalysis()).resolves.toMatchObject({ freshness: 'fresh', grid_run_id: RUN_ID });
    expect(fetchMock).toHaveBeenLastCalledWith('/api/analysis/latest', expect.anything());

    fetchMock.mockResolvedValueOnce(jsonResponse({ detail: 'No analysis has run yet' }, 404));
    await expect(fetchLatestAnalysis()).rejects.toMatchObject({
      name: 'ApiError',
      status: 404,
      message: 'No analysis has run yet',
    });
  });
});
