import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchRun, RateLimitedError, startAnalysis } from '../api/actions';
import { toApiError } from '../api/client';
import type { Freshness, RunProgress } from '../api/types';
import { poll } from '../data/poll';
import { humanize } from '../format';
import './Controls.css';

export interface AnalysisControlsProps {
  freshness: Freshness | null;
  recommendation: string | null;
  /** The latest live progress event, if any; used when its run_id is the run started here. */
  progress?: RunProgress | null;
  /** Re-reads the grid ("View cached"); also called once a fresh run has succeeded. */
  onRefresh(): void;
}

/** Poll interval of GET /api/analysis/{id} while a run is in flight. */
export const RUN_POLL_MS = 1000;
/** A poll is skipped while a live progress event for the run arrived within this window. */
const LIVE_WINDOW_MS = 2500;

type RunState =
  | { phase: 'idle' }
  | { phase: 'starting' }
  | { phase: 'running'; runId: string; stage: string; percent: number }
  | { phase: 'succeeded'; runId: string }
  | { phase: 'failed'; runId: string; message: string };

function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(100, Math.max(0, value));
}

/** How long (ms) "View cached" says what it did. */
export const VIEWED_NOTICE_MS = 4_000;

/** A failure in plain words; a rate limit says when to try again, not the server's wording (kept
 * for the tooltip). */
function errorMessage(error: unknown): { text: string; detail: string } {
  const apiError = toApiError(error);
  if (apiError instanceof RateLimitedError || apiError.status === 429) {
    const retry = apiError instanceof RateLimitedError ? apiError.retryAfterSecs : null;
    const when = retry !== null ? `in ${retry} s` : 'in a minute';
    return {
      text: `Too many analysis requests just now — try again ${when}.`,
      detail: apiError.message,
    };
  }
  return { text: apiError.message, detail: apiError.message };
}

/** Freshness of the served grid, "View cached" and "Run fresh analysis" with its live progress. */
export function AnalysisControls({ freshness, recommendation, progress = null, onRefresh }: AnalysisControlsProps) {
  const [run, setRun] = useState<RunState>({ phase: 'idle' });
  const [error, setError] = useState<{ text: string; detail: string } | null>(null);
  // When "View cached" was last pressed, to say it re-read the grid.
  const [viewedAt, setViewedAt] = useState<number | null>(null);
  const [pollWarning, setPollWarning] = useState<string | null>(null);
  const lastLiveAt = useRef(0);
  const mounted = useRef(true);
  const onRefreshRef = useRef(onRefresh);
  const refreshedRunId = useRef<string | null>(null);

  useEffect(() => {
    onRefreshRef.current = onRefresh;
  }, [onRefresh]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const runId = run.phase === 'running' ? run.runId : null;

  useEffect(() => {
    if (viewedAt === null) return undefined;
    const timer = setTimeout(() => setViewedAt(null), VIEWED_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [viewedAt]);

  const onViewCached = () => {
    setError(null);
    setViewedAt(Date.now());
    onRefresh();
  };

  // A fresh run succeeded: re-read the grid once.
  useEffect(() => {
    if (run.phase !== 'succeeded' || refreshedRunId.current === run.runId) return;
    refreshedRunId.current = run.runId;
    onRefreshRef.current();
  }, [run]);

  /** Applies a progress observation (event or poll) to the run in flight. */
  const observe = useCallback(
    (id: string, status: 'running' | 'succeeded' | 'failed', stage: string, percent: number, failure: string | null) => {
      setRun((current) => {
        if (current.phase !== 'running' || current.runId !== id) return current;
        if (status === 'succeeded') return { phase: 'succeeded', runId: id };
        if (status === 'failed') {
          return { phase: 'failed', runId: id, message: failure || 'The analysis run failed.' };
        }
        return { phase: 'running', runId: id, stage, percent: Math.max(current.percent, clampPercent(percent)) };
      });
    },
    [],
  );

  // Live progress from the websocket, when it is about the run started here.
  useEffect(() => {
    if (!progress || runId === null || progress.run_id !== runId) return;
    lastLiveAt.current = Date.now();
    const failed = progress.stage === 'failed' || Boolean(progress.error);
    const done = !failed && (progress.stage === 'done' || progress.percent >= 100);
    observe(
      progress.run_id,
      failed ? 'failed' : done ? 'succeeded' : 'running',
      progress.stage,
      progress.percent,
      progress.error ?? null,
    );
  }, [progress, runId, observe]);

  // Polling fallback while the run is in flight and no live events arrive.
  useEffect(() => {
    if (runId === null) return undefined;
    return poll({
      fetch: (signal) => fetchRun(runId, signal),
      intervalMs: RUN_POLL_MS,
      immediate: false,
      skip: () => Date.now() - lastLiveAt.current < LIVE_WINDOW_MS,
      onData: (body) => {
        setPollWarning(null);
        observe(runId, body.status, body.stage, body.progress_pct, body.error ?? null);
      },
      onError: (error) => {
        if (error.status === 404) observe(runId, 'failed', 'failed', 100, error.message);
        else setPollWarning(`Progress unavailable: ${error.message}`);
      },
    });
  }, [runId, observe]);

  const busy = run.phase === 'starting' || run.phase === 'running';

  const onRunFresh = () => {
    if (busy) return;
    setError(null);
    setPollWarning(null);
    setRun({ phase: 'starting' });
    lastLiveAt.current = 0;
    startAnalysis().then(
      (started) => {
        if (!mounted.current) return;
        if (started.status === 'running') {
          setRun({
            phase: 'running',
            runId: started.run_id,
            stage: started.stage,
            percent: clampPercent(started.progress_pct),
          });
        } else if (started.status === 'succeeded') {
          setRun({ phase: 'succeeded', runId: started.run_id });
        } else {
          setRun({ phase: 'failed', runId: started.run_id, message: 'The analysis run failed.' });
        }
      },
      (failure: unknown) => {
        if (!mounted.current) return;
        setRun({ phase: 'idle' });
        setError(errorMessage(failure));
      },
    );
  };

  return (
    <section className="analysis-controls" aria-label="Analysis">
      <div className="analysis-status">
        {/* The header shows the grid's freshness; here only that there is none yet. */}
        {freshness === null && (
          <span className="freshness freshness-none" data-testid="analysis-freshness">
            no analysis
          </span>
        )}
        {recommendation && (
          <span className="analysis-recommendation" data-testid="analysis-recommendation">
            {recommendation}
          </span>
        )}
      </div>
      <div className="analysis-buttons">
        <button type="button" className="control-button" data-testid="view-cached" onClick={onViewCached}>
          View cached
        </button>
        <button
          type="button"
          className="control-button control-button-primary"
          data-testid="run-fresh"
          onClick={onRunFresh}
          disabled={busy}
          aria-busy={busy}
        >
          {/* The longer label sizes the button, so "Running…" does not narrow it. */}
          <span className="button-label">{busy ? 'Running…' : 'Run fresh analysis'}</span>
          <span className="button-sizer" aria-hidden="true">
            Run fresh analysis
          </span>
        </button>
      </div>
      {/* One line of fixed height under the buttons for progress and messages: nothing beside
          or below moves when they come and go. */}
      <div className="analysis-feedback" data-testid="analysis-feedback">
        {(run.phase === 'running' || run.phase === 'succeeded' || run.phase === 'starting') && (
          <div className="analysis-progress" data-testid="analysis-progress" aria-live="polite">
            <div
              className="progress-track"
              role="progressbar"
              aria-label="Analysis progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={run.phase === 'running' ? Math.round(run.percent) : run.phase === 'succeeded' ? 100 : 0}
            >
              <div
                className="progress-fill"
                style={{
                  width: `${run.phase === 'running' ? run.percent : run.phase === 'succeeded' ? 100 : 0}%`,
                }}
              />
            </div>
            <span className="progress-stage" data-testid="analysis-stage">
              {run.phase === 'starting'
                ? 'Starting…'
                : run.phase === 'running'
                  ? `${humanize(run.stage)} · ${Math.round(run.percent)}%`
                  : 'Done · 100%'}
            </span>
          </div>
        )}
        {pollWarning && run.phase === 'running' && (
          <p className="control-warning" data-testid="analysis-warning" title={pollWarning}>
            {pollWarning}
          </p>
        )}
        {run.phase === 'failed' && (
          <p className="control-error" role="alert" data-testid="analysis-error" title={run.message}>
            Analysis failed: {run.message}
          </p>
        )}
        {error && (
          <p className="control-error" role="alert" data-testid="analysis-error" title={error.detail}>
            {error.text}
          </p>
        )}
        {viewedAt !== null && !busy && run.phase !== 'failed' && !error && (
          <p className="control-note" role="status" data-testid="view-cached-note">
            Showing the latest saved analysis (re-read just now).
          </p>
        )}
      </div>
    </section>
  );
}
