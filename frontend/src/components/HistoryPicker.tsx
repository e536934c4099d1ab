import { useEffect, useMemo, useState } from 'react';
import { type ApiError, isAbort, toApiError } from '../api/client';
import { fetchStoredGrid, fetchStoredRuns } from '../api/history';
import type { SectorsResponse, StoredRun } from '../api/types';
import { formatEtDate, formatEtDateTime, formatEtTime } from '../format';
import { ReplayForm } from './ReplayForm';
import './Controls.css';

interface Props {
  /** Called with a stored run's grid once it has loaded. */
  onOpen: (grid: SectorsResponse) => void;
}

/** The runs grouped by their session date in New York, newest first (the server's order). */
function byDay(runs: StoredRun[]): [string, StoredRun[]][] {
  const days = new Map<string, StoredRun[]>();
  for (const run of runs) {
    const day = formatEtDate(run.as_of);
    days.set(day, [...(days.get(day) ?? []), run]);
  }
  return [...days.entries()];
}

function runLabel(run: StoredRun): string {
  // A run replayed before replays had their own trigger says so by its data source.
  const replay = run.data_source.replay_of && run.trigger !== 'replay' ? ' · replay' : '';
  return `${formatEtTime(run.as_of)} · ${run.trigger}${replay}`;
}

/**
 * The header's "History": pick a stored run (grouped by day, or the last one before a chosen
 * date and time) and open its grid read-only, or replay a past session never analysed (from the
 * flat files imported on the server; `sectorlights replay --date` does the same), which then
 * opens the same way and is listed here.
 */
export function HistoryPicker({ onOpen }: Props) {
  const [shown, setShown] = useState(false);
  // The picker's local date and time; '' lists the newest runs.
  const [before, setBefore] = useState('');
  const [runs, setRuns] = useState<StoredRun[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!shown) return undefined;
    const controller = new AbortController();
    // datetime-local is the browser's local time; the server reads an instant.
    const instant = before === '' ? null : new Date(before).toISOString();
    fetchStoredRuns(instant, controller.signal).then(
      (body) => {
        setRuns(body.runs);
        setChosen(body.runs[0]?.run_id ?? '');
        setError(null);
      },
      (reason: unknown) => {
        if (!isAbort(reason)) setError(toApiError(reason));
      },
    );
    return () => controller.abort();
  }, [shown, before]);

  const days = useMemo(() => byDay(runs ?? []), [runs]);

  const show = (grid: SectorsResponse) => {
    setError(null);
    setShown(false);
    onOpen(grid);
  };

  const open = () => {
    if (chosen === '') return;
    fetchStoredGrid(chosen).then(show, (reason: unknown) => setError(toApiError(reason)));
  };

  return (
    <div className="history-picker">
      <button type="button" className="control-button" aria-expanded={shown} onClick={() => setShown((was) => !was)} data-testid="history-toggle">
        History
      </button>
      {shown && (
        <div className="history-panel" data-testid="history-panel">
          <label>
            Before{' '}
            <input
              type="datetime-local"
              value={before}
              onChange={(event) => setBefore(event.target.value)}
              data-testid="history-before"
            />
          </label>
          {runs !== null && runs.length === 0 && (
            <p className="history-empty" data-testid="history-empty">
              No stored run before then.
            </p>
          )}
          {days.length > 0 && (
            <label>
              Run{' '}
              <select value={chosen} onChange={(event) => setChosen(event.target.value)} data-testid="history-runs">
                {days.map(([day, dayRuns]) => (
                  <optgroup key={day} label={day}>
                    {dayRuns.map((run) => (
                      <option key={run.run_id} value={run.run_id} title={formatEtDateTime(run.as_of)}>
                        {runLabel(run)}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </label>
          )}
          <button type="button" className="control-button" onClick={open} disabled={chosen === ''} data-testid="history-open">
            Open
          </button>
          {error && (
            <p className="status status-error" role="alert">
              {error.message}
            </p>
          )}
          <ReplayForm onOpen={show} />
          <p className="history-hint" data-testid="history-hint">
            A replay reads the flat files imported on the server (<code>sectorlights import-flatfiles</code>);{' '}
            <code>sectorlights replay --date</code> does the same from the command line.
          </p>
        </div>
      )}
    </div>
  );
}
