/**
 * One stock, opened from any symbol: its candles with volume (intraday or daily), the headlines
 * behind its move with their sentiment ("why it moved"), its key figures and the trader's links out
 * to charting sites. A modal dialog: Escape closes it (and only it), focus stays inside and returns
 * to the opener. Loaded on first open (its own chunk; the chart's library in another).
 */
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { fetchStock, type StockFound } from '../api/actions';
import { useModalDialog } from '../hooks/useModalDialog';
import type { ApiError } from '../api/client';
import { fetchStockBars, fetchStockNews } from '../api/stockViews';
import type { BarInterval, ScannerRow, SectorKey } from '../api/types';
import {
  colorClass,
  formatCompact,
  formatEtDateTime,
  formatPercent,
  formatRank,
  humanize,
  isNumber,
  MISSING,
  signalLabel,
} from '../format';
import { useRequest } from '../hooks/useRequest';
import { exchangeName, exclusionText } from '../labels/labels';
import { loadWatchlist } from '../watchlist/store';
import { PinButton } from '../watchlist/PinButton';
import { ChartLinks } from './ChartLinks';
import { formatDollars, formatPrice, formatShares, formatTimes } from './figures';
import { NewsItems } from './news';
import { Modal } from '../components/Modal';
import './stock.css';

const PriceChart = lazy(() => import('./PriceChart'));

export const NEWS_LIMIT = 20;

export interface StockPanelProps {
  symbol: string;
  /** The scanner's line for the stock, when opened from the scanner: its live figures. */
  row?: ScannerRow | null;
  onClose: () => void;
  /** Open the stock's sector drill-down (closing this panel). */
  onOpenSector?: (sector: SectorKey) => void;
}

function errorText(error: ApiError): string {
  return error.message;
}

// ---------- news ----------

function NewsList({ symbol }: { symbol: string }) {
  const [attempt, setAttempt] = useState(0);
  const news = useRequest((signal) => fetchStockNews(symbol, signal, NEWS_LIMIT), [symbol, attempt]);
  return (
    <section className="stock-section stock-news" aria-labelledby="stock-news-title" data-testid="stock-news">
      <h3 id="stock-news-title">Why it moved</h3>
      {news.state === 'loading' && (
        <p className="muted" role="status">
          Loading headlines…
        </p>
      )}
      {news.state === 'error' && (
        <div className="stock-error" role="alert" data-testid="news-error">
          <p>Could not load the news: {errorText(news.error)}</p>
          <button type="button" className="control-button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}
      {news.state === 'ok' && news.data.items.length === 0 && (
        <p className="muted" data-testid="news-empty">
          No headlines name {symbol} since {formatEtDateTime(news.data.since)}.
        </p>
      )}
      {news.state === 'ok' && news.data.items.length > 0 && (
        <NewsItems items={news.data.items} />
      )}
    </section>
  );
}

// ---------- chart ----------

const INTERVALS: { interval: BarInterval; label: string }[] = [
  { interval: 'minute', label: 'Intraday' },
  { interval: 'day', label: 'Daily' },
];

function ChartSection({ symbol }: { symbol: string }) {
  const [interval, setBarInterval] = useState<BarInterval>('minute');
  const [attempt, setAttempt] = useState(0);
  const bars = useRequest((signal) => fetchStockBars(symbol, interval, null, signal), [symbol, interval, attempt]);
  return (
    <section className="stock-section stock-chart" aria-labelledby="stock-chart-title" data-testid="stock-chart">
      <div className="stock-chart-head">
        <h3 id="stock-chart-title">Chart</h3>
        <div className="interval-toggle" role="group" aria-label="Bar interval">
          {INTERVALS.map((choice) => (
            <button
              key={choice.interval}
              type="button"
              className="control-button"
              aria-pressed={interval === choice.interval}
              onClick={() => setBarInterval(choice.interval)}
              data-testid={`interval-${choice.interval}`}
            >
              {choice.label}
            </button>
          ))}
        </div>
        {bars.state === 'ok' && interval === 'minute' && bars.data.session && (
          <span className="muted">session of {bars.data.session}</span>
        )}
      </div>
      {bars.state === 'loading' && (
        <p className="muted chart-placeholder" role="status">
          Loading bars…
        </p>
      )}
      {bars.state === 'error' && (
        <div className="stock-error chart-placeholder" role="alert" data-testid="bars-error">
          <p>Could not load the bars: {errorText(bars.error)}</p>
          <button type="button" className="control-button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}
      {bars.state === 'ok' && bars.data.bars.length === 0 && (
        <p className="muted chart-placeholder" data-testid="bars-empty">
          {interval === 'minute' ? 'No trades in this session yet.' : 'No daily bars.'}
        </p>
      )}
      {bars.state === 'ok' && bars.data.bars.length > 0 && (
        <Suspense
          fallback={
            <p className="muted chart-placeholder" role="status">
              Loading chart…
            </p>
          }
        >
          <PriceChart symbol={symbol} bars={bars.data.bars} interval={interval} />
        </Suspense>
      )}
    </section>
  );
}

// ---------- figures ----------

function Figure({ term, children, testId }: { term: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function Figures({ row, stock }: { row: ScannerRow | null; stock: StockFound | null }) {
  const floatShares = row?.float_shares ?? stock?.member.float_shares ?? null;
  const marketCap = row?.market_cap ?? stock?.member.market_cap ?? null;
  const relativeVolume = row?.relative_volume ?? stock?.metrics.relative_volume ?? null;
  return (
    <dl className="stock-figures" data-testid="stock-figures">
      {row && (
        <>
          <Figure term="Price" testId="figure-price">
            {formatPrice(row.price)}
          </Figure>
          <Figure term="Gap" testId="figure-gap">
            {formatPercent(row.gap_pct)}
          </Figure>
          <Figure term="Prev close">{formatPrice(row.previous_close)}</Figure>
          <Figure term="Pre-mkt vol">{formatShares(row.premarket_volume)}</Figure>
          <Figure term="Volume">{formatShares(row.session_volume)}</Figure>
          <Figure term="$ Volume">{formatDollars(row.dollar_volume)}</Figure>
        </>
      )}
      {!row && stock && (
        <>
          <Figure term="30M">{formatPercent(stock.metrics.returns_pct['30m'] ?? null, 2)}</Figure>
          <Figure term="1D" testId="figure-1d">
            {formatPercent(stock.metrics.returns_pct['1d'] ?? null, 2)}
          </Figure>
          <Figure term="1W">{formatPercent(stock.metrics.returns_pct['1w'] ?? null, 2)}</Figure>
        </>
      )}
      <Figure term="Rel vol">{formatTimes(relativeVolume)}</Figure>
      <Figure term="Float">{formatShares(floatShares)}</Figure>
      <Figure term="Market cap">{isNumber(marketCap) ? `$${formatCompact(marketCap, 2)}` : MISSING}</Figure>
      {stock && <Figure term="Rank">{formatRank(stock.metrics.rank_score)}</Figure>}
    </dl>
  );
}

// ---------- dialog ----------

export default function StockPanel({ symbol, row = null, onClose, onOpenSector }: StockPanelProps) {
  const lookup = useRequest((signal) => fetchStock(symbol, signal), [symbol]);
  // Escape closes this panel only (caught before a drill-down beneath sees it); the opener takes
  // the focus back.
  const { dialogRef, closeRef, trapTab } = useModalDialog(onClose, { escapeFirst: true, returnFocus: false });

  useEffect(() => {
    void loadWatchlist();
  }, []);

  const found = lookup.state === 'ok' && !lookup.data.excluded ? lookup.data : null;
  const excluded = lookup.state === 'ok' && lookup.data.excluded ? lookup.data : null;
  const name = row?.name ?? found?.member.name ?? null;
  const exchange = exchangeName(row?.exchange ?? found?.member.exchange ?? null);
  const card = found?.sector_card ?? null;
  const sector = card?.sector ?? row?.sector ?? found?.classification.sector ?? null;
  const sectorLabel = card?.label ?? (sector ? humanize(sector) : null);

  return (
    <Modal
      backdropClassName="stock-panel-backdrop"
      backdropTestId="stock-panel-backdrop"
      className="stock-panel"
      dialogRef={dialogRef}
      onClose={onClose}
      aria-label={`${symbol}${name ? ` (${name})` : ''}: chart and news`}
      data-testid="stock-panel"
      data-symbol={symbol}
      onKeyDown={trapTab}
    >
      <header className="stock-head">
        <div className="stock-title-block">
          <h2 className="stock-title">
            {symbol} <PinButton symbol={symbol} />
          </h2>
          <p className="stock-subtitle">
            {name && <span data-testid="stock-name">{name}</span>}
            {exchange && <span>{exchange}</span>}
            {sector && sectorLabel && (
              <span className="stock-sector" data-testid="stock-sector">
                {onOpenSector ? (
                  <button
                    type="button"
                    className="stock-button"
                    onClick={() => onOpenSector(sector)}
                    title={`Open the ${sectorLabel} drill-down`}
                    data-testid="stock-open-sector"
                  >
                    {sectorLabel}
                  </button>
                ) : (
                  sectorLabel
                )}
                {card && <span className={`stock-signal color-${colorClass(card.color)}`}> · {signalLabel(card.signal)}</span>}
              </span>
            )}
          </p>
        </div>
        <div className="stock-head-actions">
          <button
            ref={closeRef}
            type="button"
            className="detail-close"
            onClick={onClose}
            aria-label={`Close ${symbol}`}
            data-testid="stock-close"
          >
            ×
          </button>
        </div>
      </header>
      {lookup.state === 'error' && (
        <p className="stock-error" role="alert" data-testid="stock-lookup-error">
          Could not load {symbol}’s figures: {errorText(lookup.error)}
        </p>
      )}
      {excluded && (
        <p className="muted" data-testid="stock-excluded">
          Not in the current universe.{' '}
          {excluded.reason ? exclusionText(excluded.reason) : excluded.message}
        </p>
      )}
      <Figures row={row} stock={found} />
      <div className="stock-body">
        <ChartSection symbol={symbol} />
        <div className="stock-side">
          <NewsList symbol={symbol} />
          <ChartLinks symbol={symbol} />
        </div>
      </div>
    </Modal>
  );
}
