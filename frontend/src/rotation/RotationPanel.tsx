/**
 * The Rotation view: the sectors' Relative Rotation Graph against IWM (daily or 30-minute bars, a
 * tail of 1–12 points) and the same figures as a table. Loaded on first open (its own chunk); asks
 * again whenever a new run is published, and shows a stored run's graph while the history has one
 * open.
 */
import { type RefObject, useLayoutEffect, useRef, useState } from 'react';
import type { ApiError } from '../api/client';
import { DEFAULT_TAIL, MAX_TAIL } from '../api/rotation';
import type { RotationGraph, RotationInterval, SectorKey } from '../api/types';
import { ViewPanel } from '../components/ViewPanel';
import { formatEtTime } from '../format';
import { QUADRANT_MARKS, QUADRANT_MEANING, QUADRANT_WORDS, QUADRANTS } from './quadrants';
import { figure, pointTime, RotationChart } from './RotationChart';
import { useRotation } from './useRotation';
import './rotation.css';

export const ROTATION_CHOICE_KEY = 'sectorlights.rotation';
const INTERVALS: readonly RotationInterval[] = ['day', '30min'];
const INTERVAL_WORDS: Record<RotationInterval, string> = { day: 'Daily', '30min': '30 min' };
const BAR_WORDS: Record<RotationInterval, string> = { day: 'sessions', '30min': 'half hours' };
/** The chart's width before the panel has been measured (and in tests, which have no layout). */
const DEFAULT_WIDTH = 520;
const MAX_WIDTH = 620;

export interface RotationChoice {
  interval: RotationInterval;
  tail: number;
}

/** The interval and tail chosen last, kept in this browser; anything malformed reads as the defaults. */
export function readRotationChoice(): RotationChoice {
  const fallback: RotationChoice = { interval: 'day', tail: DEFAULT_TAIL };
  try {
    const raw = globalThis.localStorage?.getItem(ROTATION_CHOICE_KEY);
    if (!raw) return fallback;
    const stored = JSON.parse(raw) as Partial<Record<keyof RotationChoice, unknown>>;
    const interval = INTERVALS.includes(stored.interval as RotationInterval)
      ? (stored.interval as RotationInterval)
      : fallback.interval;
    const tail =
      typeof stored.tail === 'number' && Number.isInteger(stored.tail) && stored.tail >= 1 && stored.tail <= MAX_TAIL
        ? stored.tail
        : fallback.tail;
    return { interval, tail };
  } catch {
    return fallback;
  }
}

function storeRotationChoice(choice: RotationChoice): void {
  try {
    globalThis.localStorage?.setItem(ROTATION_CHOICE_KEY, JSON.stringify(choice));
  } catch {
    // Without storage the choice lasts for this page.
  }
}

/** The width the chart can take inside `element`, followed as the page is resized. */
function useWidth(element: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useLayoutEffect(() => {
    const node = element.current;
    if (!node || typeof ResizeObserver === 'undefined') return undefined;
    const measure = () => {
      const inner = node.clientWidth;
      if (inner > 0) setWidth(Math.min(MAX_WIDTH, inner));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, [element]);
  return width;
}

function RotationTable({
  graph,
  labels,
}: {
  graph: RotationGraph;
  labels: Partial<Record<SectorKey, string>>;
}) {
  return (
    <div className="rrg-table-wrap">
      <table className="detail-table rrg-table" data-testid="rrg-table">
        <caption className="visually-hidden">
          Each sector’s latest RS-Ratio and RS-Momentum against {graph.benchmark}, and its quadrant
        </caption>
        <thead>
          <tr>
            <th scope="col">Sector</th>
            <th scope="col">Quadrant</th>
            <th scope="col" className="num" title="JdK RS-Ratio: above 100, stronger than IWM by more than usual">
              RS-Ratio
            </th>
            <th scope="col" className="num" title="JdK RS-Momentum: above 100, the RS-Ratio rising">
              RS-Mom.
            </th>
          </tr>
        </thead>
        <tbody>
          {graph.sectors.map((sector) => {
            const last = sector.points.at(-1);
            return (
              <tr
                key={sector.sector}
                data-testid="rrg-row"
                data-sector={sector.sector}
                data-quadrant={sector.quadrant ?? undefined}
              >
                <th scope="row" className="rrg-sector">
                  <span className="rrg-swatch" data-sector={sector.sector} aria-hidden="true" />
                  {labels[sector.sector] ?? sector.label}
                  {sector.reason && (
                    <span className="rrg-reason muted" data-testid="rrg-reason">
                      {sector.reason}
                    </span>
                  )}
                </th>
                {last && sector.quadrant ? (
                  <>
                    <td className="rrg-quadrant-cell">
                      <span aria-hidden="true">{QUADRANT_MARKS[sector.quadrant]} </span>
                      {QUADRANT_WORDS[sector.quadrant]}
                    </td>
                    <td className="num" data-testid="rrg-ratio">
                      {figure(last.rs_ratio)}
                    </td>
                    <td className="num" data-testid="rrg-momentum">
                      {figure(last.rs_momentum)}
                    </td>
                  </>
                ) : (
                  <td colSpan={3} className="muted">
                    No position
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** When the longest tail on screen starts ("tail from Nov 18"), or null without points. */
function tailStart(graph: RotationGraph): string | null {
  const longest = graph.sectors.reduce<RotationGraph['sectors'][number] | null>(
    (best, sector) => (sector.points.length > (best?.points.length ?? 0) ? sector : best),
    null,
  );
  const first = longest?.points[0];
  return first ? pointTime(first.time, graph.interval) : null;
}

function Legend() {
  return (
    <ul className="rrg-legend" data-testid="rrg-legend">
      {QUADRANTS.map((quadrant) => (
        <li key={quadrant}>
          <strong className={`rrg-word-${quadrant}`}>
            <span aria-hidden="true">{QUADRANT_MARKS[quadrant]} </span>
            {QUADRANT_WORDS[quadrant]}
          </strong>
          : {QUADRANT_MEANING[quadrant]}
        </li>
      ))}
    </ul>
  );
}

function notReadyText(error: ApiError): string | null {
  return error.status === 409 ? error.message.replace(/[.\s]+$/, '') : null;
}

export interface RotationPanelProps {
  /** Changes whenever a new run is published: the graph is asked again. */
  refreshKey: string;
  /** A stored run on screen (the history's); null for the latest analysis. */
  runId: string | null;
  labels: Partial<Record<SectorKey, string>>;
  onClose: () => void;
  /** Move the focus into the panel when it opens (opened from the keyboard). */
  focusOnOpen?: boolean;
}

export default function RotationPanel({ refreshKey, runId, labels, onClose, focusOnOpen = false }: RotationPanelProps) {
  const [choice, setChoice] = useState<RotationChoice>(readRotationChoice);
  const { graph, error, loading } = useRotation({ ...choice, runId }, refreshKey);
  const frame = useRef<HTMLDivElement>(null);
  const width = useWidth(frame);

  const change = (next: Partial<RotationChoice>) =>
    setChoice((was) => {
      const chosen = { ...was, ...next };
      storeRotationChoice(chosen);
      return chosen;
    });
  const notReady = error && !graph ? notReadyText(error) : null;
  // The graph on screen may still be the previous choice's while the next one loads.
  const shown = graph && graph.interval === choice.interval ? graph : null;
  const from = shown ? tailStart(shown) : null;

  return (
    <ViewPanel
      className="rotation"
      testId="rotation"
      title="Sector rotation vs IWM"
      summary={
        <>
          {shown
            ? [
                `${INTERVAL_WORDS[shown.interval]} bars`,
                `RS-Ratio over ${shown.ratio_period}, RS-Momentum over ${shown.momentum_period} ${BAR_WORDS[shown.interval]}`,
                from === null ? null : `tail from ${from}`,
                formatEtTime(shown.as_of),
              ]
                .filter((part) => part !== null)
                .join(' · ')
            : loading
              ? 'Loading…'
              : ''}
          {loading && shown ? ' · updating' : ''}
        </>
      }
      busy={loading}
      focusOnOpen={focusOnOpen}
      onClose={onClose}
    >
      <form className="view-panel-controls" onSubmit={(event) => event.preventDefault()}>
        <div className="rotation-intervals" role="group" aria-label="Bars">
          {INTERVALS.map((interval) => (
            <button
              key={interval}
              type="button"
              className="control-button"
              aria-pressed={choice.interval === interval}
              onClick={() => change({ interval })}
              data-testid={`rrg-interval-${interval}`}
            >
              {INTERVAL_WORDS[interval]}
            </button>
          ))}
        </div>
        <label>
          <span>Tail</span>
          <select value={choice.tail} onChange={(event) => change({ tail: Number(event.target.value) })} data-testid="rrg-tail">
            {Array.from({ length: MAX_TAIL }, (_, index) => index + 1).map((tail) => (
              <option key={tail} value={tail}>
                {tail} {tail === 1 ? 'point' : 'points'}
              </option>
            ))}
          </select>
        </label>
      </form>

      {notReady !== null && (
        <p className="view-panel-status" role="status" data-testid="rotation-not-ready">
          {notReady}. The graph fills in once the first analysis is done.
        </p>
      )}
      {error && notReady === null && (
        <p className="view-panel-status control-error" role="alert" data-testid="rotation-error">
          {graph ? `Could not refresh the graph (${error.message}).` : `Could not load the graph: ${error.message}`}
        </p>
      )}
      <div className="rotation-body">
        <div className="rotation-frame" ref={frame}>
          {shown && <RotationChart graph={shown} width={width} labels={labels} />}
        </div>
        {shown && (
          <div className="rotation-side">
            <RotationTable graph={shown} labels={labels} />
            <Legend />
            <p className="rotation-note muted">
              JdK’s method as publicly approximated (his exact formula is proprietary); it describes the
              rotation, it does not forecast it.
            </p>
          </div>
        )}
      </div>
    </ViewPanel>
  );
}
