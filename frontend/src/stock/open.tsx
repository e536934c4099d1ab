/**
 * Opening a stock's panel (chart, news, links) from any symbol on the page: the page provides the
 * opener, each symbol asks for it. Without a provider (a component tested alone) symbols are plain text.
 */
import { createContext, type MouseEvent, type ReactNode, useContext } from 'react';
import type { ScannerRow } from '../api/types';

/** Opens `symbol`'s panel; `row` is the scanner's line for it, when opened from the scanner. */
export type OpenStock = (symbol: string, row?: ScannerRow) => void;

const OpenStockContext = createContext<OpenStock | null>(null);

export const OpenStockProvider = OpenStockContext.Provider;

export function useOpenStock(): OpenStock | null {
  return useContext(OpenStockContext);
}

interface StockButtonProps {
  symbol: string;
  /** Shown instead of the symbol. */
  children?: ReactNode;
  className?: string;
  /** Out of the Tab order (inside a card, whose own focus opens the sector). */
  focusable?: boolean;
  row?: ScannerRow;
  /** `control`: drawn as a control button (with its own words), not as the symbol. */
  variant?: 'symbol' | 'control';
}

/** A symbol that opens its stock panel; inside a clickable card it does not open the card. */
export function StockButton({ symbol, children, className, focusable = true, row, variant = 'symbol' }: StockButtonProps) {
  const open = useOpenStock();
  if (open === null) return <span className={className}>{children ?? symbol}</span>;
  const onClick = (event: MouseEvent) => {
    event.stopPropagation();
    open(symbol, row);
  };
  return (
    <button
      type="button"
      className={`${variant === 'symbol' ? 'stock-button' : 'control-button'}${className ? ` ${className}` : ''}`}
      onClick={onClick}
      onKeyDown={(event) => {
        // Enter and Space are the button's own; Escape and the shortcuts still reach the page.
        if (event.key === 'Enter' || event.key === ' ') event.stopPropagation();
      }}
      tabIndex={focusable ? undefined : -1}
      title={`${symbol}: chart, news and links`}
      data-testid="open-stock"
      data-symbol={symbol}
    >
      {children ?? symbol}
    </button>
  );
}
