import { type KeyboardEvent, memo, useState } from 'react';
import type { CardRotation, ColourHistory, SectorResult, SectorSqueezeRisk, Timeframe } from '../api/types';
import { colourHistoryLine } from '../colourHistory';
import { useNowUntil } from '../hooks/useNow';
import type { TimedSectorChange } from '../hooks/useSectors';
import { TOP_LIST_SIDES, topListOf, type SectorTimelines } from '../hooks/useTopListChanges';
import { TIMEFRAMES } from '../constants';
import {
  colorArrow,
  colorClass,
  formatConfidence,
  formatEtTime,
  formatScore,
  sectorSignalText,
  timeframeLabel,
} from '../format';
import { CONFIDENCE_HELP, SCORE_HELP } from '../labels/labels';
import { QUADRANT_MARKS, QUADRANT_WORDS } from '../rotation/quadrants';
import { TimeframeCell } from './TimeframeCell';
import { TopStocksList } from './TopStocksList';

/** How long a live change stays highlighted, with the previous color shown. */
export const CHANGE_HIGHLIGHT_MS = 6000;

interface SectorCardProps {
  sector: SectorResult;
  /** The sector's latest live change (when it arrived), to highlight it for a moment. */
  change?: TimedSectorChange;
  /** Open the sector's drill-down. */
  onOpen?: (sector: SectorResult) => void;
  /** Transitions of each top list. */
  lists?: SectorTimelines;
  /** Analysis time (ISO) of the grid the card is from. */
  asOf?: string;
  /** Analysis time (ISO) of the run that last changed this sector, when one did since the page opened. */
  changedAsOf?: string;
  /** What each colour was followed by on real history; the card shows its own colour's line. */
  history?: ColourHistory | null;
}

const ARROW_STEPS: Partial<Record<string, number>> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

/**
 * The arrow keys walk the card's own controls (a timeframe's "why", the stocks, the pins), which stay
 * out of the Tab order so the cards are one Tab apart; Escape goes back to the card.
 */
function walkInside(event: KeyboardEvent<HTMLElement>): boolean {
  const card = event.currentTarget;
  if (event.key === 'Escape' && event.target !== card) {
    card.focus();
    return true;
  }
  const step = ARROW_STEPS[event.key];
  if (step === undefined) return false;
  const items = [...card.querySelectorAll<HTMLElement>('button[tabindex="-1"]')];
  if (items.length === 0) return false;
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next = at === -1 ? (step > 0 ? 0 : items.length - 1) : (at + step + items.length) % items.length;
  items[next]!.focus();
  return true;
}

/** The rotation graph's quadrants in words ("daily leading, 30-minute lagging"); null without one. */
export function rotationWords(rotation: CardRotation | undefined): string | null {
  const parts = [
    rotation?.day ? `daily ${QUADRANT_WORDS[rotation.day].toLowerCase()}` : null,
    rotation?.intraday ? `30-minute ${QUADRANT_WORDS[rotation.intraday].toLowerCase()}` : null,
  ].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** The sector's quadrant against IWM, daily and over 30-minute bars (the Rotation view's graph). */
function RotationBadge({ rotation }: { rotation: CardRotation | undefined }) {
  const words = rotationWords(rotation);
  if (!rotation || words === null) return null;
  return (
    <p
      className="card-rotation"
      data-testid="rotation-badge"
      data-day={rotation.day ?? undefined}
      data-intraday={rotation.intraday ?? undefined}
      title={`Rotation against IWM: ${words}`}
    >
      <span className="card-rotation-label">RRG</span>
      {rotation.day && (
        <span className="card-rotation-quadrant" data-testid="rotation-day">
          <span aria-hidden="true">{QUADRANT_MARKS[rotation.day]}</span> {QUADRANT_WORDS[rotation.day]}
        </span>
      )}
      {rotation.intraday && (
        <span className="card-rotation-quadrant" data-testid="rotation-intraday">
          30m <span aria-hidden="true">{QUADRANT_MARKS[rotation.intraday]}</span> {QUADRANT_WORDS[rotation.intraday]}
        </span>
      )}
    </p>
  );
}

const SQUEEZE_WORDS: Record<NonNullable<SectorSqueezeRisk['level']>, string> = {
  low: 'Squeeze risk low',
  normal: 'Squeeze risk normal',
  high: 'Squeeze risk high',
};

/**
 * The sector's squeeze risk in a trader's words: its level, how volatile its members have been against
 * the universe, and what the held-out history measured where the level separated from normal.
 */
export function squeezeRiskText(risk: SectorSqueezeRisk | undefined): string | null {
  if (!risk?.level) return null;
  const ratio = risk.volatility_ratio == null ? '' : ` (members ${risk.volatility_ratio.toFixed(2)}× as volatile as the universe)`;
  const measured = squeezeHistory(risk);
  const history = measured
    ? `. Historically: ${measured.here.toFixed(1)} % of short candidates here squeezed ≥ 10 % next day, vs ${measured.normal.toFixed(1)} % at normal risk`
    : '';
  return `${SQUEEZE_WORDS[risk.level]}${ratio}${history}`;
}

/** The held-out squeeze rates the card quotes; null where the level did not separate from normal. */
function squeezeHistory(risk: SectorSqueezeRisk): { here: number; normal: number } | null {
  const here = risk.squeezed_pct;
  const normal = risk.normal_squeezed_pct;
  return here == null || normal == null ? null : { here, normal };
}

/** The squeeze-risk chip beside the colour: the colour says direction, this says how wide. */
function SqueezeBadge({ risk }: { risk: SectorSqueezeRisk | undefined }) {
  const text = squeezeRiskText(risk);
  if (!risk?.level || text === null) return null;
  const history = squeezeHistory(risk);
  return (
    <p className={`card-squeeze is-${risk.level}`} data-testid="squeeze-risk" data-level={risk.level} title={text}>
      <span className="card-squeeze-chip">{SQUEEZE_WORDS[risk.level]}</span>
      {history && (
        <span className="card-squeeze-history" data-testid="squeeze-history">
          {history.here.toFixed(1)} % squeezed vs {history.normal.toFixed(1)} %
        </span>
      )}
    </p>
  );
}

/** A sector's card; memoised, so a page re-render that brings it nothing new passes it by. */
export const SectorCard = memo(function SectorCard({
  sector,
  change,
  onOpen,
  lists,
  asOf,
  changedAsOf,
  history,
}: SectorCardProps) {
  const signal = sectorSignalText(sector);
  // A sector without a colour has no colour history to quote.
  const historyLine = history && !sector.insufficient_data ? colourHistoryLine(sector.color, history) : null;
  const now = useNowUntil(change === undefined ? [] : [change.at + CHANGE_HIGHLIGHT_MS]);
  const changed = change !== undefined && now - change.at < CHANGE_HIGHLIGHT_MS;
  const previousColor = changed && change.previous_color !== change.color ? change.previous_color : null;
  const open = () => onOpen?.(sector);
  // The timeframe whose missing score's reason is shown (a tap on its "—").
  const [explained, setExplained] = useState<Timeframe | null>(null);
  const explain = (timeframe: Timeframe) => setExplained((was) => (was === timeframe ? null : timeframe));
  const reason = explained ? sector.timeframes[explained]?.missing_reason : null;
  const rotation = rotationWords(sector.rotation);
  return (
    <article
      className={`sector-card ${colorClass(sector.color)}${changed ? ' is-changed' : ''}${onOpen ? ' is-clickable' : ''}`}
      data-testid="sector-card"
      data-sector={sector.sector}
      data-color={sector.color}
      data-insufficient={sector.insufficient_data ? 'true' : undefined}
      data-changed={changed ? 'true' : undefined}
      aria-label={`${sector.label}: ${signal}${rotation ? `; rotation ${rotation}` : ''}`}
      tabIndex={onOpen ? 0 : undefined}
      role={onOpen ? 'button' : undefined}
      onClick={onOpen ? open : undefined}
      onKeyDown={
        onOpen
          ? (event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                open();
              } else if (walkInside(event)) {
                event.preventDefault();
              }
            }
          : undefined
      }
    >
      {previousColor && (
        <span
          key={`fade:${change?.at ?? 0}`}
          className={`card-fade ${colorClass(previousColor)}`}
          data-testid="card-fade"
          aria-hidden="true"
        />
      )}
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
          {sector.insufficient_data ? '…' : colorArrow(sector.color)}
        </span>
        <span data-testid="sector-signal" title={sector.insufficient_reason ?? undefined}>
          {signal}
        </span>
      </div>

      <div className="card-metrics">
        <span className="card-score" data-testid="sector-score" title={SCORE_HELP}>
          {formatScore(sector.score)}
        </span>
        <span className="card-meta">
          <span data-testid="sector-confidence" title={CONFIDENCE_HELP}>
            {formatConfidence(sector.confidence)} conf
          </span>
          <span data-testid="sector-count">{sector.stock_count} stocks</span>
        </span>
      </div>

      <RotationBadge rotation={sector.rotation} />
      <SqueezeBadge risk={sector.squeeze_risk} />

      {historyLine && (
        <p className="card-history" data-testid="card-history">
          {historyLine}
        </p>
      )}

      <div className="tf-row">
        {TIMEFRAMES.map((tf) => (
          <TimeframeCell
            key={tf}
            timeframe={tf}
            stats={sector.timeframes[tf] ?? null}
            showAlpha={tf === '1d'}
            onExplain={explain}
            explained={explained === tf}
          />
        ))}
      </div>
      {explained && reason && (
        <p className="tf-reason" data-testid="tf-reason" role="note">
          {timeframeLabel(explained)}: no score — {reason}.
        </p>
      )}

      <div className="top-lists">
        {TOP_LIST_SIDES.map((side) => (
          <TopStocksList
            key={side}
            title={`TOP ${side.toUpperCase()}`}
            stocks={topListOf(sector, side)}
            note={(side === 'bullish' ? sector.bullish_note : sector.bearish_note) ?? null}
            testId={`top-${side}`}
            timeline={lists?.[side]}
          />
        ))}
      </div>

      {asOf && (
        <footer className="card-foot" data-testid="card-updated">
          <span>
            As of <time dateTime={asOf}>{formatEtTime(asOf)}</time>
          </span>
          {changedAsOf && (
            <span data-testid="card-changed-at">
              {' '}
              · changed <time dateTime={changedAsOf}>{formatEtTime(changedAsOf)}</time>
            </span>
          )}
        </footer>
      )}
    </article>
  );
});
