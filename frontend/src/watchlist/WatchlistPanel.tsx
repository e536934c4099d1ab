import { useEffect, useState } from 'react';
import { fetchStock, type StockLookupResult } from '../api/actions';
import { isAbort } from '../api/client';
import { colorClass, formatPercent, formatRelativeVolume, humanize, signalLabel } from '../format';
import { exclusionText } from '../labels/labels';
import { PinButton } from './PinButton';
import { StockButton } from '../stock/open';
import { useWatchlist } from './store';

/** Symbols whose figures are fetched: each is one request per analysis run. */
export const WATCHLIST_FETCHED = 20;

type Figures = Record<string, StockLookupResult | { failed: string }>;

/** Each symbol's latest figures, fetched again when a new analysis arrives (`asOf`). */
function useFigures(symbols: readonly string[], asOf: string | null): Figures {
  const [figures, setFigures] = useState<Figures>({});
  const wanted = symbols.slice(0, WATCHLIST_FETCHED).join(',');
  useEffect(() => {
    if (wanted === '') return undefined;
    const controller = new AbortController();
    for (const symbol of wanted.split(',')) {
      fetchStock(symbol, controller.signal).then(
        (result) => setFigures((was) => ({ ...was, [symbol]: result })),
        (error: unknown) => {
          if (!isAbort(error)) setFigures((was) => ({ ...was, [symbol]: { failed: String((error as Error).message) } }));
        },
      );
    }
    return () => controller.abort();
  }, [wanted, asOf]);
  return figures;
}

function Row({ symbol, figure }: { symbol: string; figure: Figures[string] | undefined }) {
  let cells;
  if (figure === undefined) cells = <td colSpan={4}>Loading…</td>;
  else if ('failed' in figure) cells = <td colSpan={4}>{figure.failed}</td>;
  else if (figure.excluded)
    cells = <td colSpan={4}>{figure.reason ? exclusionText(figure.reason) : 'Not listed in the latest analysis.'}</td>;
  else {
    const card = figure.sector_card;
    cells = (
      <>
        <td className={card ? `watch-sector color-${colorClass(card.color)}` : 'watch-sector'}>
          {card ? `${card.label} · ${signalLabel(card.signal)}` : humanize(figure.classification.sector)}
        </td>
        <td className="num">{formatPercent(figure.metrics.returns_pct['30m'] ?? null)}</td>
        <td className="num">{formatPercent(figure.metrics.returns_pct['1d'] ?? null)}</td>
        <td className="num">{formatRelativeVolume(figure.metrics.relative_volume) ?? '—'}</td>
      </>
    );
  }
  return (
    <tr data-testid="watch-row" data-symbol={symbol}>
      <th scope="row">
        <PinButton symbol={symbol} /> <StockButton symbol={symbol} />
      </th>
      {cells}
    </tr>
  );
}

/** The pinned symbols with their figures in the latest run. Loaded once something is pinned. */
export default function WatchlistPanel({ asOf }: { asOf: string | null }) {
  const { symbols, error } = useWatchlist();
  const figures = useFigures(symbols, asOf);
  if (symbols.length === 0 && !error) return null;
  return (
    <section className="watchlist" aria-label="Watchlist" data-testid="watchlist">
      <h2 className="watchlist-title">Watchlist</h2>
      {error && (
        <p className="control-error" role="alert">
          {error}
        </p>
      )}
      {symbols.length > 0 && (
        <div className="watchlist-scroll">
          <table className="watchlist-table">
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col">Sector</th>
                <th scope="col" className="num">
                  30M
                </th>
                <th scope="col" className="num">
                  1D
                </th>
                <th scope="col" className="num">
                  Rel vol
                </th>
              </tr>
            </thead>
            <tbody>
              {symbols.slice(0, WATCHLIST_FETCHED).map((symbol) => (
                <Row key={symbol} symbol={symbol} figure={figures[symbol]} />
              ))}
            </tbody>
          </table>
          {symbols.length > WATCHLIST_FETCHED && (
            <p className="alerts-hint">
              {symbols.length - WATCHLIST_FETCHED} more pinned; the first {WATCHLIST_FETCHED} are shown.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
