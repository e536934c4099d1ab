import { type FormEvent, useEffect, useRef, useState } from 'react';
import { fetchRun } from '../api/actions';
import { isAbort, toApiError } from '../api/client';
import { fetchStoredGrid, startReplay } from '../api/history';
import type { SectorsResponse } from '../api/types';
import { poll } from '../data/poll';
import { humanize } from '../format';
import './Controls.css';

/** Poll interval of GET /api/analysis/{id} while the replay runs (replays send nothing over /ws). */
export const REPLAY_POLL_MS = 1000;
/** The regular close: a replay then needs only the day's bars, not its minute bars. */
export const DEFAULT_REPLAY_TIME = '16:00';

type ReplayState =
  | { phase: 'idle' }
  | { phase: 'starting' }
  | { phase: 'running'; runId: string; stage: string; percent: number }
  | { phase: 'opening'; runId: string };

interface Props {
  /** Called with the replay's grid once it has been stored. */
  onOpen: (grid: SectorsResponse) => void;
}

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
}

/**
 * "Replay a past session": a date and a New York time (16:00 unless changed) sent to
 * `POST /api/replays`; the run is followed until its grid can be opened like a stored run. The
 * server's refusal (which field, what to import, busy) is shown as it says it.
 */
export function ReplayForm({ onOpen }: Props) {
  const [date, setDate] = useState('');
  const [time, setTime] = useState(DEFAULT_REPLAY_TIME);
  const [state, setState] = useState<ReplayState>({ phase: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const onOpenRef = useRef(onOpen);
  const mounted = useRef(true);

  useEffect(() => {
    onOpenRef.current = onOpen;
  }, [onOpen]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const fail = (message: string) => {
    setState({ phase: 'idle' });
    setError(message);
  };

  const runId = state.phase === 'running' ? state.runId : null;

  // Follow the replay's run until it has succeeded or failed.
  useEffect(() => {
    if (runId === null) return undefined;
    return poll({
      fetch: (signal) => fetchRun(runId, signal),
      intervalMs: REPLAY_POLL_MS,
      immediate: false,
      onData: (run) => {
        if (run.status === 'succeeded') setState({ phase: 'opening', runId });
        else if (run.status === 'failed') fail(run.error || 'The replay failed.');
        else setState({ phase: 'running', runId, stage: run.stage, percent: clampPercent(run.progress_pct) });
      },
      onError: (failure) => {
        if (failure.status === 404) fail(failure.message);
      },
    });
  }, [runId]);

  // Stored: open its grid like any stored run.
  const openingId = state.phase === 'opening' ? state.runId : null;
  useEffect(() => {
    if (openingId === null) return undefined;
    const controller = new AbortController();
    fetchStoredGrid(openingId, controller.signal).then(
      (grid) => {
        setState({ phase: 'idle' });
        onOpenRef.current(grid);
      },
      (reason: unknown) => {
        if (!isAbort(reason)) fail(toApiError(reason).message);
      },
    );
    return () => controller.abort();
  }, [openingId]);

  const busy = state.phase !== 'idle';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy || date === '') return;
    setError(null);
    setState({ phase: 'starting' });
    startReplay({ date, time: time === '' ? null : time }).then(
      (started) => {
        if (!mounted.current) return;
        setState({
          phase: 'running',
          runId: started.run_id,
          stage: started.stage,
          percent: clampPercent(started.progress_pct),
        });
      },
      (reason: unknown) => {
        if (mounted.current) fail(toApiError(reason).message);
      },
    );
  };

  const percent = state.phase === 'running' ? state.percent : state.phase === 'opening' ? 100 : 0;
  const stage =
    state.phase === 'running'
      ? `${humanize(state.stage)} · ${Math.round(state.percent)}%`
      : state.phase === 'opening'
        ? 'Opening…'
        : 'Starting…';

  return (
    <form className="replay-form" onSubmit={submit} data-testid="replay-form">
      <fieldset disabled={busy}>
        <legend>Replay a past session</legend>
        <div className="replay-fields">
          <label>
            Date{' '}
            <input
              type="date"
              value={date}
              required
              onChange={(event) => setDate(event.target.value)}
              data-testid="replay-date"
            />
          </label>
          <label>
            Time (ET){' '}
            <input type="time" value={time} onChange={(event) => setTime(event.target.value)} data-testid="replay-time" />
          </label>
        </div>
        <button
          type="submit"
          className="control-button control-button-primary"
          disabled={busy || date === ''}
          aria-busy={busy}
          data-testid="replay-submit"
        >
          {busy ? 'Replaying…' : 'Replay'}
        </button>
      </fieldset>
      {busy && (
        <div className="analysis-progress" data-testid="replay-progress" aria-live="polite">
          <div
            className="progress-track"
            role="progressbar"
            aria-label="Replay progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(percent)}
          >
            <div className="progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <span className="progress-stage" data-testid="replay-stage">
            {stage}
          </span>
        </div>
      )}
      {error && (
        <p className="control-error" role="alert" data-testid="replay-error">
          {error}
        </p>
      )}
    </form>
  );
}
