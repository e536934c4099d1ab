import type { TopStock } from '../api/types';
import { VOLUME_SPIKE_RATIO } from '../constants';
import { formatPercent, formatRank, formatRelativeVolume } from '../format';
import { RANK_HELP } from '../labels/labels';
import { PinButton } from '../watchlist/PinButton';
import { StockButton } from '../stock/open';
import { type ListTimeline, type Tick, useTopListChanges } from '../hooks/useTopListChanges';

interface Props {
  title: string;
  stocks: TopStock[];
  note: string | null;
  testId: string;
  /** Transitions of this list: entered (NEW), left (fading out), changes ticking up/down. */
  timeline?: ListTimeline;
}

/** Up, down or flat by the sign of the change; arrows carry it as well as the colour. */
function direction(change: number): 'up' | 'down' | 'flat' {
  if (change === 0) return 'flat';
  return change > 0 ? 'up' : 'down';
}

const ARROWS = { up: '▲', down: '▼', flat: '' } as const;

interface LineProps {
  stock: TopStock;
  /** 1-based place in the list (its multi-factor rank); none for a name leaving it. */
  rank?: number;
  isNew?: boolean;
  tick?: Tick;
  leaving?: boolean;
}

function StockLine({ stock, rank, isNew = false, tick, leaving = false }: LineProps) {
  const volume = formatRelativeVolume(stock.relative_volume);
  const spike = stock.relative_volume !== null && stock.relative_volume >= VOLUME_SPIKE_RATIO;
  const move = direction(stock.change_pct);
  const classes = ['stock', isNew && 'is-new', leaving && 'is-leaving', tick && `tick-${tick}`]
    .filter(Boolean)
    .join(' ');
  return (
    <li
      className={classes}
      data-testid={leaving ? 'stock-leaving' : 'stock-item'}
      data-symbol={stock.symbol}
      data-tick={tick}
      aria-hidden={leaving ? true : undefined}
      title={`${stock.name} · rank score ${formatRank(stock.rank_score)} of 10`}
    >
      {rank !== undefined && (
        <span className="stock-rank" data-testid="stock-rank">
          #{rank}
        </span>
      )}
      {rank !== undefined && ' '}
      {isNew && (
        <>
          <span className="badge-new" data-testid="new-badge">
            NEW
          </span>{' '}
        </>
      )}
      {leaving ? (
        <span className="stock-symbol">{stock.symbol}</span>
      ) : (
        <StockButton symbol={stock.symbol} className="stock-symbol" focusable={false} />
      )}
      {!leaving && <PinButton symbol={stock.symbol} focusable={false} />}{' '}
      <span className={`stock-change is-${move}`} data-testid="stock-change" data-direction={move}>
        {ARROWS[move] && <span aria-hidden="true">{ARROWS[move]}</span>}
        {formatPercent(stock.change_pct)}
      </span>
      {volume && (
        <>
          {' '}
          {spike ? (
            <strong className="stock-volume is-spike" data-testid="volume-spike" title="Volume spike">
              ({volume})<span className="visually-hidden"> volume spike</span>
            </strong>
          ) : (
            <span className="stock-volume">({volume})</span>
          )}
        </>
      )}
    </li>
  );
}

export function TopStocksList({ title, stocks, note, testId, timeline }: Props) {
  const { entered, ticks, leaving: left } = useTopListChanges(timeline);
  // A name back in the list (a later grid brought it without an event) is no longer leaving.
  const leaving = left.filter((gone) => !stocks.some((stock) => stock.symbol === gone.symbol));
  return (
    <section className="top-list" data-testid={testId}>
      <h3 className="top-list-title" title={RANK_HELP}>
        {title}
      </h3>
      {stocks.length === 0 && (
        <p className="top-list-note" data-testid="list-note">
          {note ?? 'None'}
        </p>
      )}
      {(stocks.length > 0 || leaving.length > 0) && (
        <ol className="stock-list">
          {stocks.map((stock, index) => (
            <StockLine
              key={stock.symbol}
              stock={stock}
              rank={index + 1}
              isNew={entered.has(stock.symbol)}
              tick={ticks.get(stock.symbol)}
            />
          ))}
          {leaving.map((stock) => (
            <StockLine key={`left:${stock.symbol}`} stock={stock} leaving />
          ))}
        </ol>
      )}
    </section>
  );
}
