import type { SectorResult } from '../api/types';
import type { TimedSectorChange } from '../hooks/useSectors';
import { TIMEFRAMES } from '../constants';
import {
  colorArrow,
  colorClass,
  formatConfidence,
  formatScore,
  signalLabel,
} from '../format';
import { TimeframeCell } from './TimeframeCell';
import { TopStocksList } from './TopStocksList';

/** How long a live change stays highlighted, with the previous color shown. */
export const CHANGE_HIGHLIGHT_MS = 6000;

interface SectorCardProps {
  sector: SectorResult;
  /** The sector's latest live change (when it arrived), to highlight it for a moment. */
  change?: TimedSectorChange;
  /** Current time in ms since epoch. */
  now?: number;
  /** Open the sector's drill-down. */
  onOpen?: (sector: SectorResult) => void;
  /** Names that just entered each top list. */
  newSymbols?: { bullish?: ReadonlySet<string>; bearish?: ReadonlySet<string> };
}

export function SectorCard({ sector, change, now = Date.now(), onOpen, newSymbols }: SectorCardProps) {
  const signal = signalLabel(sector.signal);
  const changed = change !== undefined && now - change.at < CHANGE_HIGHLIGHT_MS;
  const previousColor = changed && change.previous_color !== change.color ? change.previous_color : null;
  const open = () => onOpen?.(sector);
  return (
    <article
      className={`sector-card ${colorClass(sector.color)}${changed ? ' is-changed' : ''}${onOpen ? ' is-clickable' : ''}`}
      data-testid="sector-card"
      data-sector={sector.sector}
      data-color={sector.color}
      data-changed={changed ? 'true' : undefined}
      aria-label={`${sector.label}: ${signal}`}
      tabIndex={onOpen ? 0 : undefined}
      role={onOpen ? 'button' : undefined}
      onClick={onOpen ? open : undefined}
      onKeyDown={
        onOpen
          ? (event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                open();
              }
            }
          : undefined
      }
    >
      {previousColor && (
        <span className="card-previous" data-testid="previous-color">
          was {previousColor.replace('_', ' ')}
        </span>
      )}
      <header className="card-head">
        <h2 className="card-title">{sector.label.toUpperCase()}</h2>
        <span className="card-etf" title="ETF proxy">
          {sector.etf_proxy}
        </span>
      </header>

      <div className="card-signal">
        <span className="card-arrow" data-testid="sector-arrow" aria-hidden="true">
          {colorArrow(sector.color)}
        </span>
        <span data-testid="sector-signal">{signal}</span>
      </div>

      <div className="card-metrics">
        <span className="card-score" data-testid="sector-score" title="Composite score">
          {formatScore(sector.score)}
        </span>
        <span className="card-meta">
          <span data-testid="sector-confidence">{formatConfidence(sector.confidence)} conf</span>
          <span data-testid="sector-count">{sector.stock_count} stocks</span>
        </span>
      </div>

      <div className="tf-row">
        {TIMEFRAMES.map((tf) => (
          <TimeframeCell
            key={tf}
            timeframe={tf}
            stats={sector.timeframes[tf]}
            showAlpha={tf === '1d'}
          />
        ))}
      </div>

      <div className="top-lists">
        <TopStocksList
          title="TOP BULLISH"
          stocks={sector.top_bullish}
          note={sector.bullish_note}
          testId="top-bullish"
          newSymbols={newSymbols?.bullish}
        />
        <TopStocksList
          title="TOP BEARISH"
          stocks={sector.top_bearish}
          note={sector.bearish_note}
          testId="top-bearish"
          newSymbols={newSymbols?.bearish}
        />
      </div>
    </article>
  );
}
