/**
 * Drill-down dialog of one sector: every constituent in a sortable table, the sentiment history
 * per timeframe (lazy-loaded chart) and the sector's ETF proxy check.
 */
import { lazy, Suspense, useMemo, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { ApiError } from '../api/client';
import { fetchSectorDetail, fetchSectorHistory } from '../api/detail';
import { useModalDialog } from '../hooks/useModalDialog';
import { Change } from './Change';
import type {
  Constituent,
  EtfCheck,
  SectorDetailResponse,
  SectorKey,
  Timeframe,
} from '../api/types';
import { TIMEFRAMES } from '../constants';
import {
  colorArrow,
  colorClass,
  formatCompact,
  formatConfidence,
  formatEtTime,
  formatRank,
  formatRelativeVolume,
  formatScore,
  formatTier,
  MISSING,
  sectorSignalText,
  timeframeLabel,
} from '../format';
import { useRequest } from '../hooks/useRequest';
import { ALPHA_HELP } from '../labels/labels';
import { StockButton } from '../stock/open';
import { Modal } from './Modal';
import './SectorDetail.css';

const HistoryChart = lazy(() => import('./HistoryChart'));
const SectorNews = lazy(() => import('../stock/SectorNews'));

export const DEFAULT_HISTORY_LIMIT = 200;

export interface SectorDetailProps {
  /** The sector to show. */
  sector: SectorKey;
  /** Called on Escape, the close button or a click on the backdrop. */
  onClose: () => void;
  /** Display label used until the detail has loaded (e.g. the card's `label`). */
  label?: string;
  /** How many history entries to chart. */
  historyLimit?: number;
}

// ---------- table ----------

export type SortKey =
  | 'symbol'
  | 'name'
  | 'tier'
  | 'change_30m_pct'
  | 'change_1d_pct'
  | 'change_3d_pct'
  | 'change_1w_pct'
  | 'relative_volume'
  | 'rank_score'
  | 'float_shares';

type Direction = 'ascending' | 'descending';

interface Column {
  key: SortKey;
  label: string;
  title?: string;
  numeric: boolean;
}

const COLUMNS: readonly Column[] = [
  { key: 'symbol', label: 'Symbol', numeric: false },
  { key: 'name', label: 'Name', numeric: false },
  { key: 'tier', label: 'Tier', numeric: false },
  { key: 'change_30m_pct', label: '30M', title: 'Change over 30 minutes', numeric: true },
  { key: 'change_1d_pct', label: '1D', title: 'Change over 1 day', numeric: true },
  { key: 'change_3d_pct', label: '3D', title: 'Change over 3 days', numeric: true },
  { key: 'change_1w_pct', label: '1W', title: 'Change over 1 week', numeric: true },
  { key: 'relative_volume', label: 'Rel vol', title: 'Relative volume', numeric: true },
  { key: 'rank_score', label: 'Rank', title: 'Rank score', numeric: true },
  { key: 'float_shares', label: 'Float', title: 'Float shares', numeric: true },
];

function changeKey(timeframe: Timeframe) {
  return `change_${timeframe}_pct` as const;
}

function sortValue(row: Constituent, key: SortKey): string | number | null {
  const value = row[key];
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return value;
  return null;
}

/** Rows sorted by `key`; missing values always go last, ties keep symbol order. */
export function sortConstituents(
  rows: readonly Constituent[],
  key: SortKey,
  direction: Direction,
): Constituent[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x === null || y === null) {
      if (x === y) return a.symbol.localeCompare(b.symbol);
      return x === null ? 1 : -1;
    }
    const order =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), undefined, { sensitivity: 'base' });
    return order === 0 ? a.symbol.localeCompare(b.symbol) : sign * order;
  });
}


function ConstituentsTable({ rows }: { rows: readonly Constituent[] }) {
  const [sort, setSort] = useState<{ key: SortKey; direction: Direction }>({
    key: 'rank_score',
    direction: 'descending',
  });
  const sorted = useMemo(() => sortConstituents(rows, sort.key, sort.direction), [rows, sort]);

  const sortBy = (column: Column) =>
    setSort((current) =>
      current.key === column.key
        ? { key: column.key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
        : { key: column.key, direction: column.numeric ? 'descending' : 'ascending' },
    );

  const onHeaderKeyDown = (event: ReactKeyboardEvent<HTMLButtonElement>, column: Column) => {
    if (event.key !== 'Enter') return;
    // Handled here (not by the button's synthetic click) so Enter sorts exactly once.
    event.preventDefault();
    sortBy(column);
  };

  return (
    <div className="detail-table-wrap">
      <table className="detail-table" data-testid="constituents-table">
        <caption className="visually-hidden">
          Constituents, sorted by {COLUMNS.find((c) => c.key === sort.key)?.title ?? sort.key}{' '}
          {sort.direction}
        </caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => {
              const active = sort.key === column.key;
              return (
                <th
                  key={column.key}
                  scope="col"
                  aria-sort={active ? sort.direction : 'none'}
                  className={column.numeric ? 'num' : undefined}
                  data-column={column.key}
                >
                  <button
                    type="button"
                    className="sort-button"
                    title={column.title ? `Sort by ${column.title.toLowerCase()}` : undefined}
                    onClick={() => sortBy(column)}
                    onKeyDown={(event) => onHeaderKeyDown(event, column)}
                  >
                    {column.label}
                    <span className="sort-indicator" aria-hidden="true">
                      {active ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={row.symbol} data-testid="constituent-row" data-symbol={row.symbol}>
              <th scope="row" className="symbol">
                <StockButton symbol={row.symbol} />
              </th>
              <td className="name" title={row.name}>
                {row.name}
              </td>
              <td>{formatTier(row.tier)}</td>
              {TIMEFRAMES.map((tf) => (
                <td key={tf} className="num">
                  <Change value={row[changeKey(tf)]} />
                </td>
              ))}
              <td className="num">{formatRelativeVolume(row.relative_volume) ?? MISSING}</td>
              <td className="num">{formatRank(row.rank_score)}</td>
              <td className="num">{formatCompact(row.float_shares)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------- ETF block ----------

function EtfBlock({
  detail,
  fallbackCheck,
}: {
  detail: SectorDetailResponse;
  fallbackCheck: EtfCheck | null;
}) {
  const card = detail.sector;
  const check = card.etf_check ?? fallbackCheck;
  return (
    <section className="detail-section detail-etf" aria-labelledby="detail-etf-title" data-testid="etf-block">
      <h3 id="detail-etf-title">ETF proxy</h3>
      <p className="etf-proxies">
        <span className="etf-main" data-testid="etf-proxy">
          {card.etf_proxy}
        </span>
        {check && check.proxies.length > 0 && (
          <span className="muted"> checked against {check.proxies.join(', ')}</span>
        )}
      </p>
      {check ? (
        <p data-testid="etf-agreement">
          Agreement <strong>{formatConfidence(check.agreement)}</strong>
          <span className="muted">
            {' '}
            of {check.stocks_measured} measured members move most with the sector ETFs
          </span>
        </p>
      ) : (
        <p className="muted">No ETF check in this analysis.</p>
      )}
      <table className="detail-table etf-table">
        <thead>
          <tr>
            <th scope="col">Timeframe</th>
            <th scope="col" className="num">
              Sector
            </th>
            <th scope="col" className="num" title={ALPHA_HELP}>
              α adj vs IWM
            </th>
            <th scope="col" className="num">
              Score
            </th>
          </tr>
        </thead>
        <tbody>
          {TIMEFRAMES.map((tf) => {
            const stats = card.timeframes[tf];
            return (
              <tr key={tf} data-timeframe={tf}>
                <th scope="row">{timeframeLabel(tf)}</th>
                <td className="num">
                  <Change value={stats?.return_pct} />
                </td>
                <td className="num">
                  <Change value={stats?.alpha_pct} />
                </td>
                <td
                  className="num"
                  title={stats?.missing_reason ? `No score: ${stats.missing_reason}` : undefined}
                >
                  {formatScore(stats?.score)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

// ---------- dialog ----------

function fallbackLabel(sector: SectorKey): string {
  return sector
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function errorText(error: ApiError): string {
  if (error.status === null) return error.message;
  return error.detail ? `${error.message} (HTTP ${error.status})` : error.message;
}

export function SectorDetail({
  sector,
  onClose,
  label,
  historyLimit = DEFAULT_HISTORY_LIMIT,
}: SectorDetailProps) {
  const [attempt, setAttempt] = useState(0);
  const detail = useRequest((signal) => fetchSectorDetail(sector, signal), [sector, attempt]);
  const history = useRequest(
    (signal) => fetchSectorHistory(sector, { limit: historyLimit }, signal),
    [sector, historyLimit, attempt],
  );
  const { dialogRef, closeRef, trapTab } = useModalDialog(onClose);

  const data = detail.state === 'ok' ? detail.data : null;
  const sectorLabel = data?.sector.label ?? label ?? fallbackLabel(sector);
  const historyEntries = history.state === 'ok' ? history.data.history : null;
  const fallbackCheck = historyEntries?.[0]?.detail.etf_check ?? null;

  return (
    <Modal
      backdropClassName="sector-detail-backdrop"
      backdropTestId="sector-detail-backdrop"
      className="sector-detail"
      dialogRef={dialogRef}
      onClose={onClose}
      aria-label={`${sectorLabel} sector detail`}
      data-sector={sector}
      onKeyDown={trapTab}
    >
      <header className="detail-head">
        <div className="detail-title-block">
          <h2 className="detail-title">{sectorLabel}</h2>
          {data && (
            <p className="detail-summary" data-testid="detail-summary">
              <span
                className={`detail-chip ${colorClass(data.sector.color)}`}
                data-testid="detail-signal"
                title={data.sector.insufficient_reason ?? undefined}
              >
                <span aria-hidden="true">
                  {data.sector.insufficient_data ? '…' : colorArrow(data.sector.color)}
                </span>{' '}
                {sectorSignalText(data.sector)}
              </span>
              <span>Score {formatScore(data.sector.score)}</span>
              <span>{formatConfidence(data.sector.confidence)} conf</span>
              <span>{data.constituent_count} constituents</span>
              <span className="muted">
                as of {formatEtTime(data.as_of)}
                {data.data_source.simulated ? ' · simulated data' : ''}
                {data.data_source.replay_of ? ` · replay of ${data.data_source.replay_of}, not live` : ''}
              </span>
            </p>
          )}
        </div>
        <button
          ref={closeRef}
          type="button"
          className="detail-close"
          onClick={onClose}
          aria-label={`Close ${sectorLabel} detail`}
        >
          ×
        </button>
      </header>

      {detail.state === 'loading' && (
        <p className="detail-status" role="status" data-testid="detail-loading">
          Loading {sectorLabel} constituents…
        </p>
      )}
      {detail.state === 'error' && (
        <div className="detail-status detail-error" role="alert" data-testid="detail-error">
          <p>
            Could not load the {sectorLabel} detail: {errorText(detail.error)}
          </p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}

      {data && (
        <div className="detail-body">
          <div className="detail-side">
            <section className="detail-section" aria-labelledby="detail-history-title">
              <h3 id="detail-history-title">Sentiment history</h3>
              {history.state === 'loading' && (
                <p className="muted" role="status" data-testid="history-loading">
                  Loading history…
                </p>
              )}
              {history.state === 'error' && (
                <p className="detail-error" role="alert" data-testid="history-error">
                  Could not load the history: {errorText(history.error)}
                </p>
              )}
              {historyEntries && historyEntries.length === 0 && (
                <p className="muted" data-testid="history-empty">
                  No stored history yet.
                </p>
              )}
              {historyEntries && historyEntries.length > 0 && (
                <Suspense
                  fallback={
                    <p className="muted" role="status">
                      Loading chart…
                    </p>
                  }
                >
                  <HistoryChart entries={historyEntries} />
                </Suspense>
              )}
            </section>
            <EtfBlock detail={data} fallbackCheck={fallbackCheck} />
            <Suspense fallback={null}>
              <SectorNews sector={sector} />
            </Suspense>
          </div>

          <section className="detail-section detail-constituents" aria-labelledby="detail-constituents-title">
            <h3 id="detail-constituents-title">
              Constituents <span className="muted">({data.constituents.length})</span>
            </h3>
            {data.constituents.length === 0 ? (
              <p className="muted">No constituents in the latest universe.</p>
            ) : (
              <ConstituentsTable rows={data.constituents} />
            )}
          </section>
        </div>
      )}
    </Modal>
  );
}

export default SectorDetail;
