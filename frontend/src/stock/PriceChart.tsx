/**
 * A stock's candles with volume beneath, intraday (minute bars, New York time) or daily. Loaded
 * lazily by the stock panel: it pulls in lightweight-charts, which needs a canvas.
 */
import { useEffect, useRef } from 'react';
import {
  CandlestickSeries,
  createChart,
  HistogramSeries,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { BarInterval, PriceBar } from '../api/types';
import { useTheme, type Theme } from '../theme/theme';
import { ET_CLOCK, ET_DATE_TIME, timeSeconds } from '../chartTime';
import { formatPrice } from './figures';

/** Each theme's chart colours: up and down candles keep their meaning in words elsewhere (the figures). */
export const CHART_COLORS: Record<Theme, { text: string; grid: string; up: string; down: string }> = {
  dark: { text: '#94a3b8', grid: 'rgba(148, 163, 184, 0.12)', up: '#22c55e', down: '#ef4444' },
  light: { text: '#475569', grid: 'rgba(71, 85, 105, 0.15)', up: '#15803d', down: '#b91c1c' },
};

/** Bars ascending by time with one bar per second (what the chart requires); later duplicates win. */
export function chartBars(bars: readonly PriceBar[]): PriceBar[] {
  const byTime = new Map<number, PriceBar>();
  for (const bar of bars) {
    if ([bar.time, bar.open, bar.high, bar.low, bar.close].every(Number.isFinite)) byTime.set(bar.time, bar);
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

// A day bar's time is 00:00 UTC of its session: read in UTC, it is that session's date.
const SESSION_DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });
const SESSION_DATE_YEAR = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
});

/** The label under a tick and in the crosshair: New York clock for minutes, the session's date for days. */
export function barTimeText(time: number, interval: BarInterval, crosshair = false): string {
  const ms = time * 1000;
  if (interval === 'day') return (crosshair ? SESSION_DATE_YEAR : SESSION_DATE).format(ms);
  return crosshair ? `${ET_DATE_TIME.format(ms)} ET` : ET_CLOCK.format(ms);
}

interface Props {
  symbol: string;
  bars: readonly PriceBar[];
  interval: BarInterval;
  height?: number;
}

export function PriceChart({ symbol, bars, interval, height = 300 }: Props) {
  const containerRef = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  const shown = chartBars(bars);
  const last = shown.at(-1);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return undefined;
    const colors = CHART_COLORS[theme];
    const chart = createChart(container, {
      autoSize: true,
      height,
      layout: { background: { color: 'transparent' }, textColor: colors.text, attributionLogo: false },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      rightPriceScale: { borderVisible: false, scaleMargins: { top: 0.08, bottom: 0.28 } },
      timeScale: {
        borderVisible: false,
        timeVisible: interval === 'minute',
        tickMarkFormatter: (time: Time) => barTimeText(timeSeconds(time), interval),
      },
      localization: {
        timeFormatter: (time: Time) => barTimeText(timeSeconds(time), interval, true),
        priceFormatter: (price: number) => formatPrice(price),
      },
    });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: colors.up,
      downColor: colors.down,
      borderUpColor: colors.up,
      borderDownColor: colors.down,
      wickUpColor: colors.up,
      wickDownColor: colors.down,
      priceLineVisible: false,
    });
    candles.setData(
      shown.map((bar) => ({
        time: bar.time as UTCTimestamp,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
      })),
    );
    const volume = chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
    volume.setData(
      shown.map((bar) => ({
        time: bar.time as UTCTimestamp,
        value: bar.volume,
        color: `${bar.close >= bar.open ? colors.up : colors.down}66`,
      })),
    );
    chart.timeScale().fitContent();
    return () => chart.remove();
    // `shown` is derived from `bars`; rebuilding on `bars` is enough.
  }, [bars, interval, theme, height]);

  const what = interval === 'minute' ? 'minute candles of the session' : 'daily candles';
  return (
    <figure className="price-chart" data-testid="price-chart" data-interval={interval}>
      <div
        ref={containerRef}
        className="price-chart-canvas"
        style={{ height }}
        role="img"
        aria-label={`${symbol}: ${shown.length} ${what} with volume${last ? `, last close ${formatPrice(last.close)}` : ''}`}
      />
    </figure>
  );
}

export default PriceChart;
