import { type ReactNode, useRef } from 'react';
import type { SectorsResponse } from '../api/types';
import type { ConnectionState } from '../data/source';
import { TIMEFRAMES } from '../constants';
import { ageSeconds, formatAge, formatEtTime, formatPercent, timeframeLabel } from '../format';
import { useNow } from '../hooks/useNow';

interface Props {
  data: SectorsResponse | null;
  /** Live connection, controls and the like, shown at the end of the header. */
  children?: ReactNode;
  /** Data is stale: the backend says so, or the last refresh failed. */
  stale: boolean;
  /** The live connection: while it is down, its indicator tells how current the grid is. */
  connection?: ConnectionState;
}

/** The header's one word on how current the grid is: the freshness class while all is well, a stale
 * marker when stale, nothing while the connection is down (its indicator says so): never two that
 * disagree. */
export function headerStatus(
  freshness: SectorsResponse['freshness'],
  stale: boolean,
  connection: ConnectionState = 'connected',
): 'freshness' | 'stale' | 'none' {
  if (stale) return 'stale';
  if (connection === 'offline' || connection === 'reconnecting') return 'none';
  return freshness ? 'freshness' : 'none';
}

/** What the analysis panel may recommend: "Analysis is current" is only said of a grid that is. */
export function shownRecommendation(
  data: SectorsResponse | null,
  stale: boolean,
  connection: ConnectionState = 'connected',
): string | null {
  if (!data) return null;
  return headerStatus(data.freshness, stale, connection) === 'freshness' || data.freshness === 'stale'
    ? data.recommendation
    : null;
}

function SourceLabel({ source }: { source: SectorsResponse['data_source'] }) {
  if (source.simulated) {
    return (
      <span className="badge badge-simulated" data-testid="simulated-badge">
        Simulated data
      </span>
    );
  }
  if (source.replay_of) {
    // A past session of real data: never to be mistaken for the live market.
    return (
      <span
        className="badge badge-replay"
        data-testid="replay-badge"
        title={`Not live: ${source.provider} data as of ${source.replay_of}`}
      >
        Replay of {source.replay_of}
      </span>
    );
  }
  return (
    <span className="source-label" data-testid="source-label" title={source.provider}>
      {source.label || source.provider}
    </span>
  );
}

function BenchmarkReturns({ benchmark }: { benchmark: SectorsResponse['benchmark'] }) {
  return (
    <dl className="benchmark" data-testid="benchmark">
      <dt className="benchmark-symbol">{benchmark.symbol}</dt>
      {TIMEFRAMES.map((tf) => (
        <dd key={tf} className="benchmark-cell">
          <span className="benchmark-tf">{timeframeLabel(tf)}</span>{' '}
          <span className="benchmark-value">{formatPercent(benchmark.returns_pct[tf], 2)}</span>
        </dd>
      ))}
    </dl>
  );
}

/**
 * The grid's age on the server's clock: the server says how old the grid was when it sent it
 * (`age_secs`), which fixes the offset between its clock and this browser's; the age then keeps
 * moving with local time, also across live updates that bring a newer `as_of`. (The browser's
 * clock alone disagrees with a simulated or skewed server clock.)
 */
function useServerAge(data: SectorsResponse, now: number): number | null {
  const anchor = useRef<{ ageSecs: number; offsetMs: number } | null>(null);
  if (data.age_secs == null) return ageSeconds(data.as_of, now);
  if (anchor.current === null || anchor.current.ageSecs !== data.age_secs) {
    const offsetMs = Date.parse(data.as_of) + data.age_secs * 1000 - now;
    anchor.current = { ageSecs: data.age_secs, offsetMs };
  }
  return ageSeconds(data.as_of, now + (anchor.current?.offsetMs ?? 0));
}

/** The grid's age, the one part of the header that follows the clock. */
function DataAge({ data }: { data: SectorsResponse }) {
  const age = useServerAge(data, useNow());
  return (
    <span className="data-age" data-testid="data-age">
      {formatAge(age)}
    </span>
  );
}

export function Header({ data, stale, connection = 'connected', children }: Props) {
  const status = data ? headerStatus(data.freshness, stale, connection) : 'none';
  return (
    <header className={`app-header${stale ? ' is-stale' : ''}`}>
      <h1 className="brand">SectorLights</h1>
      {data && (
        <>
          <SourceLabel source={data.data_source} />
          <div className="as-of">
            <time dateTime={data.as_of} data-testid="as-of">
              {formatEtTime(data.as_of)}
            </time>
            <DataAge data={data} />
            {status === 'freshness' && (
              <span className={`freshness freshness-${data.freshness}`} data-testid="freshness">
                {data.freshness}
              </span>
            )}
            {status === 'stale' && (
              <span className="stale-marker" data-testid="stale-marker">
                ⚠ stale
              </span>
            )}
          </div>
          <BenchmarkReturns benchmark={data.benchmark} />
        </>
      )}
      {children}
    </header>
  );
}
