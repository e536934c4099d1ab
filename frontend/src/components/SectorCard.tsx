import type { SectorResult } from '../api/types';
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

export function SectorCard({ sector }: { sector: SectorResult }) {
  const signal = signalLabel(sector.signal);
  return (
    <article
      className={`sector-card ${colorClass(sector.color)}`}
      data-testid="sector-card"
      data-sector={sector.sector}
      data-color={sector.color}
      aria-label={`${sector.label}: ${signal}`}
    >
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
        />
        <TopStocksList
          title="TOP BEARISH"
          stocks={sector.top_bearish}
          note={sector.bearish_note}
          testId="top-bearish"
        />
      </div>
    </article>
  );
}
