import type { TopStock } from '../api/types';
import { formatPercent, formatRelativeVolume } from '../format';

interface Props {
  title: string;
  stocks: TopStock[];
  note: string | null;
  testId: string;
  /** Names that just entered the list: shown with a NEW badge. */
  newSymbols?: ReadonlySet<string>;
}

function StockLine({ stock, isNew }: { stock: TopStock; isNew: boolean }) {
  const volume = formatRelativeVolume(stock.relative_volume);
  return (
    <li className={`stock${isNew ? ' is-new' : ''}`} data-testid="stock-item" title={stock.name}>
      {isNew && (
        <>
          <span className="badge-new" data-testid="new-badge">
            NEW
          </span>{' '}
        </>
      )}
      <span className="stock-symbol">{stock.symbol}</span>{' '}
      <span className="stock-change">{formatPercent(stock.change_pct)}</span>
      {volume && (
        <>
          {' '}
          <span className="stock-volume">({volume})</span>
        </>
      )}
    </li>
  );
}

export function TopStocksList({ title, stocks, note, testId, newSymbols }: Props) {
  return (
    <section className="top-list" data-testid={testId}>
      <h3 className="top-list-title">{title}</h3>
      {stocks.length > 0 ? (
        <ol className="stock-list">
          {stocks.map((stock) => (
            <StockLine key={stock.symbol} stock={stock} isNew={newSymbols?.has(stock.symbol) ?? false} />
          ))}
        </ol>
      ) : (
        <p className="top-list-note" data-testid="list-note">
          {note ?? 'None'}
        </p>
      )}
    </section>
  );
}
