import type { Timeframe, TimeframeResult } from '../api/types';
import { colorClass, colorName, formatPercent, timeframeLabel } from '../format';
import { ALPHA_HELP } from '../labels/labels';

interface Props {
  timeframe: Timeframe;
  /** Null when the card has no result for this timeframe. */
  stats: TimeframeResult | null;
  /** Show alpha vs the benchmark under the return. */
  showAlpha?: boolean;
  /** A timeframe without a score: show (or hide) why, for a tap or a key (hover has the title). */
  onExplain?: (timeframe: Timeframe) => void;
  /** Whether its reason is shown (by the card, under the row). */
  explained?: boolean;
}

export function TimeframeCell({ timeframe, stats, showAlpha = false, onExplain, explained = false }: Props) {
  const color = stats?.color;
  // A timeframe without data has no score and says why (hover), instead of a neutral 0.0.
  const missing = stats?.missing_reason ?? undefined;
  return (
    <div
      className={color ? `tf-cell ${colorClass(color)}` : 'tf-cell'}
      data-testid="tf-cell"
      data-timeframe={timeframe}
      data-color={color ?? undefined}
      data-missing={missing ? 'true' : undefined}
      title={missing ? `No score: ${missing}` : undefined}
    >
      <span className="tf-label">
        {timeframeLabel(timeframe)}
        {color && (
          <span className={`chip ${colorClass(color)}`} role="img" aria-label={colorName(color)} title={colorName(color)} />
        )}
      </span>
      {missing && onExplain ? (
        // Out of the Tab order like the card's other controls (the arrow keys reach it).
        <button
          type="button"
          className="tf-return tf-why"
          data-testid="tf-return"
          aria-expanded={explained}
          aria-label={`${timeframeLabel(timeframe)}: no score. Why?`}
          tabIndex={-1}
          onClick={(event) => {
            event.stopPropagation();
            onExplain(timeframe);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' || event.key === ' ') event.stopPropagation();
          }}
        >
          {formatPercent(stats?.return_pct)}
        </button>
      ) : (
        <span className="tf-return" data-testid="tf-return">
          {formatPercent(stats?.return_pct)}
        </span>
      )}
      {showAlpha && (
        <span className="tf-alpha" data-testid="tf-alpha" title={ALPHA_HELP}>
          <span className="nowrap">α adj {formatPercent(stats?.alpha_pct)}</span>{' '}
          <span className="nowrap">vs IWM</span>
        </span>
      )}
    </div>
  );
}
