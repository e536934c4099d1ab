/**
 * Sentiment history of one sector: one line per timeframe score over time.
 * Loaded lazily by SectorDetail (it pulls in lightweight-charts, which needs a canvas).
 */
import { useEffect, useRef } from 'react';
import { createChart, LineSeries, type Time, type UTCTimestamp } from 'lightweight-charts';
import type { HistoryEntry, Timeframe } from '../api/types';
import { ET_CLOCK, ET_DATE, ET_DATE_TIME, timeSeconds } from '../chartTime';
import { TIMEFRAMES } from '../constants';
import { formatScore, timeframeLabel } from '../format';

export interface HistoryPoint {
  time: UTCTimestamp;
  value: number;
}

/** Line colour of each timeframe (distinct hues, also told apart by the legend's labels). */
export const TIMEFRAME_COLORS: Record<Timeframe, string> = {
  '30m': '#38bdf8',
  '1d': '#f59e0b',
  '3d': '#a78bfa',
  '1w': '#f472b6',
};

/**
 * Per-timeframe score series, oldest first with one point per second (what the chart requires);
 * entries without a parseable timestamp or a finite score for a timeframe are skipped.
 */
export function historySeries(entries: readonly HistoryEntry[]): Record<Timeframe, HistoryPoint[]> {
  const series = {} as Record<Timeframe, HistoryPoint[]>;
  for (const tf of TIMEFRAMES) {
    const byTime = new Map<number, number>();
    for (const entry of entries) {
      const ms = Date.parse(entry.timestamp);
      const score = entry.detail.timeframes[tf]?.score;
      if (Number.isNaN(ms) || typeof score !== 'number' || !Number.isFinite(score)) continue;
      const time = Math.floor(ms / 1000);
      if (!byTime.has(time)) byTime.set(time, score);
    }
    series[tf] = [...byTime.entries()]
      .sort(([a], [b]) => a - b)
      .map(([time, value]) => ({ time: time as UTCTimestamp, value }));
  }
  return series;
}

function timeMs(time: Time): number {
  return timeSeconds(time) * 1000;
}

interface Props {
  /** History entries in any order (the backend sends newest first). */
  entries: readonly HistoryEntry[];
  /** Chart height in px. */
  height?: number;
}

export function HistoryChart({ entries, height = 240 }: Props) {
  const containerRef = useRef<HTMLDivElement>(null);
  const series = historySeries(entries);
  const latest = (tf: Timeframe) => series[tf].at(-1)?.value ?? null;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return undefined;
    const chart = createChart(container, {
      autoSize: true,
      height,
      layout: {
        background: { color: 'transparent' },
        textColor: '#94a3b8',
        attributionLogo: false,
      },
      grid: {
        vertLines: { color: 'rgba(148, 163, 184, 0.12)' },
        horzLines: { color: 'rgba(148, 163, 184, 0.12)' },
      },
      rightPriceScale: { borderVisible: false },
      timeScale: {
        borderVisible: false,
        timeVisible: true,
        tickMarkFormatter: (time: Time, tickMarkType: number) =>
          (tickMarkType < 3 ? ET_DATE : ET_CLOCK).format(timeMs(time)),
      },
      localization: {
        timeFormatter: (time: Time) => `${ET_DATE_TIME.format(timeMs(time))} ET`,
        priceFormatter: (price: number) => formatScore(price),
      },
    });
    TIMEFRAMES.forEach((tf, index) => {
      const line = chart.addSeries(LineSeries, {
        color: TIMEFRAME_COLORS[tf],
        lineWidth: 2,
        title: timeframeLabel(tf),
        priceLineVisible: false,
      });
      line.setData(series[tf]);
      if (index === 0) {
        line.createPriceLine({
          price: 0,
          color: 'rgba(148, 163, 184, 0.5)',
          lineWidth: 1,
          lineStyle: 2,
          axisLabelVisible: false,
          title: '',
        });
      }
    });
    chart.timeScale().fitContent();
    return () => chart.remove();
    // `series` is derived from `entries`; rebuilding on `entries` is enough.
  }, [entries, height]);

  return (
    <figure className="history-chart" data-testid="history-chart">
      <div
        ref={containerRef}
        className="history-chart-canvas"
        style={{ height }}
        role="img"
        aria-label={`Score per timeframe over ${entries.length} runs`}
      />
      <figcaption className="history-legend" aria-label="Legend">
        {TIMEFRAMES.map((tf) => (
          <span key={tf} className="history-legend-item" data-timeframe={tf}>
            <span
              className="history-legend-swatch"
              style={{ background: TIMEFRAME_COLORS[tf] }}
              aria-hidden="true"
            />
            {timeframeLabel(tf)} <span className="history-legend-value">{formatScore(latest(tf))}</span>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export default HistoryChart;
