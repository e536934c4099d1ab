import type { Timeframe, TimeframeStats } from '../api/types';
import { colorClass, colorName, formatPercent, timeframeLabel } from '../format';

interface Props {
  timeframe: Timeframe;
  stats: TimeframeStats;
  /** Show alpha vs the benchmark under the return. */
  showAlpha?: boolean;
}

export function TimeframeCell({ timeframe, stats, showAlpha = false }: Props) {
  return (
    <div
      className={`tf-cell ${colorClass(stats.color)}`}
      data-testid="tf-cell"
      data-timeframe={timeframe}
      data-color={stats.color}
    >
      <span className="tf-label">
        {timeframeLabel(timeframe)}
        <span
          className={`chip ${colorClass(stats.color)}`}
          role="img"
          aria-label={colorName(stats.color)}
          title={colorName(stats.color)}
        />
      </span>
      <span className="tf-return" data-testid="tf-return">
        {formatPercent(stats.return_pct)}
      </span>
      {showAlpha && (
        <span className="tf-alpha" data-testid="tf-alpha" title="Alpha vs IWM">
          <span className="nowrap">α {formatPercent(stats.alpha_pct)}</span>{' '}
          <span className="nowrap">vs IWM</span>
        </span>
      )}
    </div>
  );
}
