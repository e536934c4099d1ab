/**
 * The gap and mover scanner: every universe stock moving most since the previous close, with its
 * price, gap, volumes, float, sector colour and newest headline; sortable and filterable. Loaded on
 * first open (its own chunk); a row opens the stock's chart, news and links.
 */
import { useState } from 'react';
import type { ApiError } from '../api/client';
import { DEFAULT_SCANNER_QUERY, type ScannerQuery } from '../api/scanner';
import type { ScannerPage, ScannerRow, ScannerSort, SectorKey } from '../api/types';
import { SECTOR_ORDER } from '../constants';
import { colorClass, colorName, formatCompact, formatEtTime, humanize } from '../format';
import { Change } from '../components/Change';
import { SectorSelect } from '../components/SectorSelect';
import { ViewPanel } from '../components/ViewPanel';
import { useOpenStock } from '../stock/open';
import { pick, readStoredObject, storeObject } from '../storedChoices';
import { formatDollars, formatPrice, formatShares, formatTimes, sessionPart } from '../stock/figures';
import { SCANNER_REFRESH_MS, useScanner } from './useScanner';
import './scanner.css';

export const SCANNER_QUERY_KEY = 'sectorlights.scanner';

export const MIN_GAP_CHOICES: readonly number[] = [0, 2, 5, 10, 20, 50];
export const MIN_DOLLAR_VOLUME_CHOICES: readonly number[] = [0, 100_000, 500_000, 1_000_000, 5_000_000, 10_000_000];

const SORTS: readonly ScannerSort[] = ['gap', 'gap_up', 'gap_down', 'dollar_volume', 'relative_volume', 'volume'];

/** The filters the trader chose last, kept in this browser; anything malformed reads as the defaults. */
export function readScannerQuery(): ScannerQuery {
  const stored = readStoredObject(SCANNER_QUERY_KEY);
  if (stored === null) return DEFAULT_SCANNER_QUERY;
  return {
    ...DEFAULT_SCANNER_QUERY,
    sort: pick(stored.sort, SORTS, DEFAULT_SCANNER_QUERY.sort),
    minGapPct: pick(stored.minGapPct, MIN_GAP_CHOICES, 0),
    minDollarVolume: pick(stored.minDollarVolume, MIN_DOLLAR_VOLUME_CHOICES, 0),
    sector: pick<SectorKey | null>(stored.sector, [null, ...SECTOR_ORDER], null),
  };
}

function storeScannerQuery(query: ScannerQuery): void {
  storeObject(SCANNER_QUERY_KEY, query);
}

// ---------- sorting ----------

type Sortable = 'gap' | 'volume' | 'dollar_volume' | 'relative_volume';

/** The gap column cycles: largest either way, largest rise, largest fall. */
const NEXT_GAP_SORT: Record<ScannerSort, ScannerSort> = {
  gap: 'gap_up',
  gap_up: 'gap_down',
  gap_down: 'gap',
  dollar_volume: 'gap',
  relative_volume: 'gap',
  volume: 'gap',
};

/** The sort a click on `column`'s header asks for, given the current one. */
export function nextSort(current: ScannerSort, column: Sortable): ScannerSort {
  return column === 'gap' ? NEXT_GAP_SORT[current] : column;
}

const SORT_WORDS: Record<ScannerSort, string> = {
  gap: 'largest gap, up or down',
  gap_up: 'largest gap up',
  gap_down: 'largest gap down',
  dollar_volume: 'dollar volume',
  relative_volume: 'relative volume',
  volume: 'volume',
};

function sortedColumn(sort: ScannerSort): Sortable {
  return sort === 'gap_up' || sort === 'gap_down' ? 'gap' : sort;
}

function ariaSort(sort: ScannerSort, column: Sortable): 'ascending' | 'descending' | 'other' | 'none' {
  if (sortedColumn(sort) !== column) return 'none';
  if (sort === 'gap') return 'other';
  return sort === 'gap_down' ? 'ascending' : 'descending';
}

function indicator(sort: ScannerSort, column: Sortable): string {
  if (sortedColumn(sort) !== column) return '↕';
  if (sort === 'gap') return '⇅';
  return sort === 'gap_down' ? '▲' : '▼';
}

// ---------- cells ----------


function SectorDot({ row, label }: { row: ScannerRow; label: string }) {
  const colour = row.sector_color;
  const words = colour ? `${label}, ${colorName(colour)}` : `${label}, no colour yet`;
  return (
    <span
      className={`sector-dot${colour ? ` ${colorClass(colour)}` : ''}`}
      role="img"
      aria-label={words}
      title={words}
      data-testid="sector-dot"
    />
  );
}

function Headline({ row }: { row: ScannerRow }) {
  if (row.headline === null) {
    return <span className="muted">{row.news_count > 0 ? `${row.news_count} articles` : 'No news'}</span>;
  }
  const more = row.news_count - 1;
  return (
    <span className="scanner-headline" title={row.headline} data-testid="scanner-headline">
      {row.headline}
      {more > 0 && <span className="muted"> +{more}</span>}
    </span>
  );
}

interface HeaderProps {
  column: Sortable;
  label: string;
  title: string;
  sort: ScannerSort;
  onSort: (sort: ScannerSort) => void;
}

function SortHeader({ column, label, title, sort, onSort }: HeaderProps) {
  return (
    <th scope="col" className="num" aria-sort={ariaSort(sort, column)} data-column={column}>
      <button
        type="button"
        className="sort-button"
        title={column === 'gap' ? 'Sort by gap: either way, then up, then down' : `Sort by ${title}`}
        onClick={() => onSort(nextSort(sort, column))}
        data-testid={`sort-${column}`}
      >
        {label}
        <span className="sort-indicator" aria-hidden="true">
          {indicator(sort, column)}
        </span>
      </button>
    </th>
  );
}

function ScannerTable({
  page,
  sort,
  onSort,
  labels,
}: {
  page: ScannerPage;
  sort: ScannerSort;
  onSort: (sort: ScannerSort) => void;
  labels: Partial<Record<SectorKey, string>>;
}) {
  const open = useOpenStock();
  // Before 09:30 the session's volume is all pre-market: one column says it.
  const premarket = sessionPart(page.as_of) === 'pre-market';
  const header = (column: Sortable, label: string, title: string) => (
    <SortHeader column={column} label={label} title={title} sort={sort} onSort={onSort} />
  );
  return (
    <div className="scanner-table-wrap" data-testid="scanner-frame">
      <table className="detail-table scanner-table" data-testid="scanner-table">
        <caption className="visually-hidden">Movers since the previous close, sorted by {SORT_WORDS[sort]}</caption>
        <thead>
          <tr>
            <th scope="col" className="symbol">
              Symbol
            </th>
            <th scope="col" className="num">
              Price
            </th>
            {header('gap', 'Gap %', 'gap')}
            {!premarket && (
              <th scope="col" className="num" title="Shares traded 04:00–09:30 ET">
                Pre-mkt vol
              </th>
            )}
            {header('volume', premarket ? 'Pre-mkt vol' : 'Volume', 'volume since 04:00 ET')}
            {header('dollar_volume', '$ Vol', 'dollar volume')}
            {header('relative_volume', 'Rel vol', 'relative volume')}
            <th scope="col" className="num" title="Float shares">
              Float
            </th>
            <th scope="col">Headline</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row) => {
            const label = labels[row.sector] ?? humanize(row.sector);
            return (
              <tr
                key={row.symbol}
                data-testid="scanner-row"
                data-symbol={row.symbol}
                className={open ? 'is-clickable' : undefined}
                onClick={open ? () => open(row.symbol, row) : undefined}
              >
                <th scope="row" className="symbol">
                  <span className="scanner-symbol">
                    <SectorDot row={row} label={label} />
                    {open ? (
                      <button
                        type="button"
                        className="stock-button"
                        title={`${row.name}: chart, news and links`}
                        onClick={(event) => {
                          event.stopPropagation();
                          open(row.symbol, row);
                        }}
                        data-testid="open-stock"
                        data-symbol={row.symbol}
                      >
                        {row.symbol}
                      </button>
                    ) : (
                      row.symbol
                    )}
                  </span>
                </th>
                <td className="num">{formatPrice(row.price)}</td>
                <td className="num" data-testid="scanner-gap">
                  <Change value={row.gap_pct} digits={1} />
                </td>
                {!premarket && <td className="num">{formatShares(row.premarket_volume)}</td>}
                <td className="num">{formatShares(row.session_volume)}</td>
                <td className="num" data-testid="scanner-dollar-volume">
                  {formatDollars(row.dollar_volume)}
                </td>
                <td className="num">{formatTimes(row.relative_volume)}</td>
                <td className="num">{formatShares(row.float_shares)}</td>
                <td className="headline-cell">
                  <Headline row={row} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// ---------- states in words ----------

function notReadyText(error: ApiError): string | null {
  // 409: no analysis has finished yet; 503: no figures are held (the vendor has not answered yet).
  if (error.status === 409 || error.status === 503) return error.message.replace(/[.\s]+$/, '');
  return null;
}

function PageNotes({ page }: { page: ScannerPage }) {
  const notes: { key: string; text: string; warn?: boolean }[] = [];
  if (page.stale) {
    notes.push({
      key: 'stale',
      text: `Stale: the figures of ${formatEtTime(page.as_of)}${page.stale_reason ? ` — ${page.stale_reason}` : ''}.`,
      warn: true,
    });
  }
  if (page.source === 'run') {
    notes.push({
      key: 'run',
      text: `No live snapshot: these are the latest analysis’s figures (${formatEtTime(page.as_of)}), without prices or volumes.`,
    });
  }
  if (page.news_error) notes.push({ key: 'news', text: `Headlines unavailable: ${page.news_error}` });
  if (notes.length === 0) return null;
  return (
    <ul className="scanner-notes" data-testid="scanner-notes">
      {notes.map((note) => (
        <li key={note.key} className={note.warn ? 'is-warning' : undefined} data-testid={`scanner-note-${note.key}`}>
          {note.text}
        </li>
      ))}
    </ul>
  );
}

function dollarChoice(value: number): string {
  return value === 0 ? 'Any' : `$${formatCompact(value)}`;
}

// ---------- the panel ----------

export interface ScannerPanelProps {
  /** Changes whenever the page receives a live update (a run, a move): the scanner asks again. */
  refreshKey: string;
  /** Sector key → display label. */
  labels: Partial<Record<SectorKey, string>>;
  onClose: () => void;
  /** Move the focus into the panel when it opens (opened from the keyboard). */
  focusOnOpen?: boolean;
}

export default function ScannerPanel({ refreshKey, labels, onClose, focusOnOpen = false }: ScannerPanelProps) {
  const [query, setQuery] = useState<ScannerQuery>(readScannerQuery);
  const { page, error, loading } = useScanner(query, refreshKey);

  const change = (next: Partial<ScannerQuery>) =>
    setQuery((was) => {
      const query = { ...was, ...next };
      storeScannerQuery(query);
      return query;
    });

  const part = page ? sessionPart(page.as_of) : null;
  const notReady = error && !page ? notReadyText(error) : null;
  const filtered = query.minGapPct > 0 || query.minDollarVolume > 0 || query.sector !== null;

  return (
    <ViewPanel
      className="scanner"
      testId="scanner"
      title="Gap scanner"
      summary={
        <>
          {page
            ? `${page.total} ${page.total === 1 ? 'stock' : 'stocks'} · ${formatEtTime(page.as_of)}${part && part !== 'regular' ? ` · ${part}` : ''}`
            : loading
              ? 'Loading…'
              : ''}
          {loading && page ? ' · updating' : ''}
        </>
      }
      busy={loading}
      focusOnOpen={focusOnOpen}
      onClose={onClose}
    >
      <form className="view-panel-controls" onSubmit={(event) => event.preventDefault()} data-testid="scanner-filters">
        <label>
          <span>Min gap</span>
          <select
            value={query.minGapPct}
            onChange={(event) => change({ minGapPct: Number(event.target.value) })}
            data-testid="filter-min-gap"
          >
            {MIN_GAP_CHOICES.map((value) => (
              <option key={value} value={value}>
                {value === 0 ? 'Any' : `${value} %`}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Min $ volume</span>
          <select
            value={query.minDollarVolume}
            onChange={(event) => change({ minDollarVolume: Number(event.target.value) })}
            data-testid="filter-min-dollar-volume"
          >
            {MIN_DOLLAR_VOLUME_CHOICES.map((value) => (
              <option key={value} value={value}>
                {dollarChoice(value)}
              </option>
            ))}
          </select>
        </label>
        <SectorSelect value={query.sector} onChange={(sector) => change({ sector })} labels={labels} testId="filter-sector" />
      </form>

      {notReady !== null && (
        <p className="view-panel-status" role="status" data-testid="scanner-not-ready">
          No analysis yet: {notReady}. The scanner fills in once the first analysis is done; checking again every{' '}
          {SCANNER_REFRESH_MS / 1000} s.
        </p>
      )}
      {error && notReady === null && (
        <p className="view-panel-status control-error" role="alert" data-testid="scanner-error">
          {page ? `Could not refresh the scanner (${error.message}); showing ${formatEtTime(page.as_of)}.` : `Could not load the scanner: ${error.message}`}
        </p>
      )}
      {page && <PageNotes page={page} />}
      {page && page.rows.length === 0 && (
        <p className="view-panel-status muted" data-testid="scanner-empty">
          {filtered ? 'No stock matches these filters.' : 'No universe stock has figures since the previous close yet.'}
        </p>
      )}
      {page && page.rows.length > 0 && (
        <>
          <ScannerTable page={page} sort={query.sort} onSort={(sort) => change({ sort })} labels={labels} />
          {page.total > page.rows.length && (
            <p className="scanner-more muted">
              The first {page.rows.length} of {page.total}; narrow the filters to see the rest.
            </p>
          )}
        </>
      )}
      {!page && loading && !error && (
        <p className="view-panel-status muted" role="status">
          Loading the scanner…
        </p>
      )}
    </ViewPanel>
  );
}
