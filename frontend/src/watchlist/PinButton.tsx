import type { MouseEvent } from 'react';
import { setPinned, useWatchlist } from './store';

/**
 * ☆ pins a symbol to the watchlist, ★ unpins it. Inside a clickable card it does not open the card.
 * `focusable={false}` keeps it out of the Tab order: the cards' six pins each would put 48 stops
 * between one card and the next; the card's arrow keys reach it instead.
 */
export function PinButton({ symbol, focusable = true }: { symbol: string; focusable?: boolean }) {
  const { symbols } = useWatchlist();
  const pinned = symbols.includes(symbol);
  const onClick = (event: MouseEvent) => {
    event.stopPropagation();
    void setPinned(symbol, !pinned);
  };
  return (
    <button
      type="button"
      className={`pin-button${pinned ? ' is-pinned' : ''}`}
      aria-pressed={pinned}
      aria-label={pinned ? `Unpin ${symbol} from the watchlist` : `Pin ${symbol} to the watchlist`}
      title={pinned ? 'Unpin from the watchlist' : 'Pin to the watchlist'}
      onClick={onClick}
      onKeyDown={(event) => {
        // Enter and Space are the button's own (not the card's); Tab, Escape and the shortcuts go on.
        if (event.key === 'Enter' || event.key === ' ') event.stopPropagation();
      }}
      tabIndex={focusable ? undefined : -1}
      data-testid="pin-button"
      data-symbol={symbol}
    >
      <span aria-hidden="true">{pinned ? '★' : '☆'}</span>
    </button>
  );
}
