import './MoveAlerts.css';
import { type ReactNode, useState } from 'react';
import type { SectorKey } from '../api/types';
import { formatAge, formatPercent } from '../format';
import { useNow } from '../hooks/useNow';
import type { TimedMove } from '../hooks/useSectors';
import { updateAlertSettings, useAlertSettings } from '../alerts/settings';
import { useOpenStock } from '../stock/open';

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

/** A part of a move's pill: a button when it opens something, else plain text. */
function MovePart({
  onClick,
  title,
  label,
  className,
  children,
}: {
  onClick: (() => void) | undefined;
  title: string;
  /** What a screen reader says for it, when its text runs together. */
  label?: string;
  className: string;
  children: ReactNode;
}) {
  if (!onClick) return <span className={className}>{children}</span>;
  return (
    <button type="button" className={`move-button ${className}`} onClick={onClick} title={title} aria-label={label}>
      {children}
    </button>
  );
}

/** Mutes (or unmutes) the notifications and sound of significant moves; shown while alerts are on. */
function MuteMoves() {
  const settings = useAlertSettings();
  if (!settings.notify && !settings.sound) return null;
  const muted = settings.mutedMoves;
  return (
    <button
      type="button"
      className="move-more move-mute"
      aria-pressed={muted}
      onClick={() => updateAlertSettings((s) => ({ ...s, mutedMoves: !muted }))}
      title={muted ? 'Moves are listed without notification or sound' : 'Silence notifications and sound for moves'}
      data-testid="move-mute"
    >
      {muted ? 'Moves muted' : 'Mute moves'}
    </button>
  );
}

/** The 15%+ moves of the last half hour pushed by the server, largest first: symbol, move, price,
 * sector and how long ago; the rest one click away. The symbol opens the stock, the sector its
 * drill-down. */
export function MoveAlerts({ moves, labels, onOpenSector }: Props) {
  // Ages are shown, so this list follows the clock (and only this list).
  const now = useNow();
  const openStock = useOpenStock();
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
          return (
            <li
              key={`${move.symbol}:${move.at}`}
              className={`move is-${move.direction}${fresh ? ' is-fresh' : ''}`}
              data-testid="move-alert"
              data-symbol={move.symbol}
            >
              <span className="move-pill">
                <MovePart
                  onClick={openStock ? () => openStock(move.symbol) : undefined}
                  title={`${move.symbol}: chart, news and links`}
                  label={`${move.symbol} ${formatPercent(move.change_pct)} at $${move.price.toFixed(2)}`}
                  className="move-open"
                >
                  <span aria-hidden="true">{move.direction === 'up' ? '▲' : '▼'}</span>
                  <span className="move-symbol">{move.symbol}</span>
                  <span className="move-change">{formatPercent(move.change_pct)}</span>
                  <span className="move-price">${move.price.toFixed(2)}</span>
                </MovePart>
                <MovePart
                  onClick={onOpenSector ? () => onOpenSector(sector) : undefined}
                  title={`Open ${label}`}
                  className="move-sector"
                >
                  {label}
                </MovePart>
                <span className="move-age">{formatAge((now - move.at) / 1000)}</span>
              </span>
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
      <MuteMoves />
    </section>
  );
}
