import './MoveAlerts.css';
import { useState } from 'react';
import type { SectorKey } from '../api/types';
import { formatAge, formatPercent } from '../format';
import { useNow } from '../hooks/useNow';
import type { TimedMove } from '../hooks/useSectors';

/** How many of the largest significant moves are listed before "+N more". */
export const MOVE_ALERTS_SHOWN = 5;
/** How long (ms) a significant move stays listed after it arrived. */
export const MOVE_ALERT_MS = 30 * 60_000;
/** How long (ms) a just-arrived move is emphasised. */
export const MOVE_FRESH_MS = 6_000;

interface Props {
  moves: readonly TimedMove[];
  /** Sector key → display label. */
  labels: Partial<Record<SectorKey, string>>;
  /** Open a sector's drill-down. */
  onOpenSector?: (sector: SectorKey) => void;
}

/** The recent moves, largest (absolute change) first; of equal size, the newer first. */
export function largestFirst(moves: readonly TimedMove[]): TimedMove[] {
  return [...moves].sort((a, b) => Math.abs(b.change_pct) - Math.abs(a.change_pct) || b.at - a.at);
}

/** The 15%+ moves of the last half hour pushed by the server, largest first: symbol, move, price,
 * sector and how long ago; the rest one click away. */
export function MoveAlerts({ moves, labels, onOpenSector }: Props) {
  // Ages are shown, so this list follows the clock (and only this list).
  const now = useNow();
  const [expanded, setExpanded] = useState(false);
  const recent = largestFirst(moves.filter((move) => now - move.at < MOVE_ALERT_MS));
  if (recent.length === 0) return null;
  const hidden = expanded ? 0 : Math.max(0, recent.length - MOVE_ALERTS_SHOWN);
  const shown = hidden > 0 ? recent.slice(0, MOVE_ALERTS_SHOWN) : recent;
  return (
    <section className="move-alerts" aria-label="Significant moves" data-testid="move-alerts">
      <h2 className="move-alerts-title">Significant moves</h2>
      <ul className="move-list" aria-live="polite">
        {shown.map((move) => {
          const sector = move.sector;
          const label = labels[sector] ?? sector;
          const fresh = now - move.at < MOVE_FRESH_MS;
          const body = (
            <>
              <span aria-hidden="true">{move.direction === 'up' ? '▲' : '▼'}</span>
              <span className="move-symbol">{move.symbol}</span>
              <span className="move-change">{formatPercent(move.change_pct)}</span>
              <span className="move-price">${move.price.toFixed(2)}</span>
              <span className="move-sector">{label}</span>
              <span className="move-age">{formatAge((now - move.at) / 1000)}</span>
            </>
          );
          return (
            <li
              key={`${move.symbol}:${move.at}`}
              className={`move is-${move.direction}${fresh ? ' is-fresh' : ''}`}
              data-testid="move-alert"
              data-symbol={move.symbol}
            >
              {onOpenSector ? (
                <button
                  type="button"
                  className="move-button"
                  onClick={() => onOpenSector(sector)}
                  title={`Open ${label}`}
                >
                  {body}
                </button>
              ) : (
                <span className="move-button">{body}</span>
              )}
            </li>
          );
        })}
      </ul>
      {(hidden > 0 || expanded) && recent.length > MOVE_ALERTS_SHOWN && (
        <button
          type="button"
          className="move-more"
          data-testid="move-more"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? 'Show fewer' : `+${hidden} more`}
        </button>
      )}
    </section>
  );
}
