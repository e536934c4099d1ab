/**
 * The Relative Rotation Graph drawn as SVG: the four shaded quadrants with their names, the axes at
 * 100, and each sector's tail over its points ending in a labelled dot. Every dot carries its figures
 * (data attributes and a tooltip); the table beside the chart says them in words.
 */
import { useId } from 'react';
import type { RotationGraph, RotationInterval, SectorKey, SectorRotation } from '../api/types';
import { formatEtTime } from '../format';
import { QUADRANT_WORDS } from './quadrants';
import { CENTRE, halfRange, linear, placeLabels, quadrantOf, tailPath, ticks } from './scales';

/** Names short enough to sit beside a dot. */
export const SHORT_LABELS: Record<SectorKey, string> = {
  technology: 'Tech',
  healthcare: 'Health',
  energy: 'Energy',
  financial: 'Financial',
  consumer_discretionary: 'Consumer',
  industrials: 'Industrial',
  materials: 'Materials',
  utilities: 'Utilities',
};

const PAD = { left: 46, right: 14, top: 14, bottom: 42 };
const LABEL_GAP = 13;
const CHAR_WIDTH = 6.6;

const ET_DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', month: 'short', day: 'numeric' });

/** A point's time as the interval reads it: a session's date, or a New York time. */
export function pointTime(iso: string, interval: RotationInterval): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  return interval === 'day' ? ET_DATE.format(then) : formatEtTime(iso);
}

export function figure(value: number): string {
  return value.toFixed(2);
}

/** The words of one sector's latest position, for its tooltip and the chart's summary. */
export function positionWords(sector: SectorRotation, label: string, interval: RotationInterval): string {
  const last = sector.points.at(-1);
  if (!last) return `${label}: no position (${sector.reason ?? 'no data'})`;
  const quadrant = sector.quadrant ?? quadrantOf(last.rs_ratio, last.rs_momentum);
  return (
    `${label}: ${QUADRANT_WORDS[quadrant].toLowerCase()}, RS-Ratio ${figure(last.rs_ratio)}, ` +
    `RS-Momentum ${figure(last.rs_momentum)} (${pointTime(last.time, interval)})`
  );
}

interface ChartProps {
  graph: RotationGraph;
  /** Drawing width in CSS pixels; the plot is square. */
  width: number;
  labels: Partial<Record<SectorKey, string>>;
}

export function RotationChart({ graph, width, labels }: ChartProps) {
  const titleId = useId();
  const all = graph.sectors.flatMap((sector) => sector.points);
  const half = halfRange(all);
  const plot = Math.max(160, Math.round(width) - PAD.left - PAD.right);
  const height = plot + PAD.top + PAD.bottom;
  const domain = [CENTRE - half, CENTRE + half] as const;
  const x = linear(domain, [PAD.left, PAD.left + plot]);
  const y = linear(domain, [PAD.top + plot, PAD.top]);
  const [left, right, top, bottom] = [PAD.left, PAD.left + plot, PAD.top, PAD.top + plot];
  const [midX, midY] = [x(CENTRE), y(CENTRE)];
  const drawn = graph.sectors.filter((sector) => sector.points.length > 0);
  const nameOf = (sector: SectorRotation) => labels[sector.sector] ?? sector.label;
  const placed = placeLabels(
    drawn.map((sector) => {
      const last = sector.points.at(-1)!;
      return { key: sector.sector, x: x(last.rs_ratio), y: y(last.rs_momentum) + 4 };
    }),
    { gap: LABEL_GAP, width: 70, top: top + 10, bottom: bottom - 4 },
  );
  const labelAt = new Map(placed.map((label) => [label.key, label]));
  const summary = [
    `Relative rotation of the sectors against ${graph.benchmark}, ${graph.interval === 'day' ? 'daily' : '30-minute'} bars.`,
    ...graph.sectors.map((sector) => positionWords(sector, nameOf(sector), graph.interval)),
  ].join(' ');

  return (
    <svg
      className="rrg-chart"
      width={right + PAD.right}
      height={height}
      viewBox={`0 0 ${right + PAD.right} ${height}`}
      role="img"
      aria-labelledby={titleId}
      data-testid="rrg-chart"
      data-half-range={half}
    >
      <title id={titleId}>{summary}</title>
      <rect className="rrg-quadrant rrg-q-improving" x={left} y={top} width={midX - left} height={midY - top} />
      <rect className="rrg-quadrant rrg-q-leading" x={midX} y={top} width={right - midX} height={midY - top} />
      <rect className="rrg-quadrant rrg-q-lagging" x={left} y={midY} width={midX - left} height={bottom - midY} />
      <rect className="rrg-quadrant rrg-q-weakening" x={midX} y={midY} width={right - midX} height={bottom - midY} />
      <g className="rrg-quadrant-labels">
        <text x={left + 6} y={top + 14}>
          {QUADRANT_WORDS.improving}
        </text>
        <text x={right - 6} y={top + 14} textAnchor="end">
          {QUADRANT_WORDS.leading}
        </text>
        <text x={left + 6} y={bottom - 6}>
          {QUADRANT_WORDS.lagging}
        </text>
        <text x={right - 6} y={bottom - 6} textAnchor="end">
          {QUADRANT_WORDS.weakening}
        </text>
      </g>
      <g className="rrg-ticks">
        {ticks(half).map((value) => (
          <g key={value}>
            <line className="rrg-grid" x1={x(value)} x2={x(value)} y1={top} y2={bottom} />
            <line className="rrg-grid" x1={left} x2={right} y1={y(value)} y2={y(value)} />
            <text x={x(value)} y={bottom + 14} textAnchor="middle">
              {value}
            </text>
            <text x={left - 5} y={y(value) + 4} textAnchor="end">
              {value}
            </text>
          </g>
        ))}
      </g>
      <line className="rrg-axis" x1={midX} x2={midX} y1={top} y2={bottom} data-testid="rrg-axis-ratio" />
      <line className="rrg-axis" x1={left} x2={right} y1={midY} y2={midY} data-testid="rrg-axis-momentum" />
      <text className="rrg-axis-title" x={(left + right) / 2} y={height - 6} textAnchor="middle">
        JdK RS-Ratio (relative strength) →
      </text>
      <text
        className="rrg-axis-title"
        x={12}
        y={(top + bottom) / 2}
        textAnchor="middle"
        transform={`rotate(-90 12 ${(top + bottom) / 2})`}
      >
        JdK RS-Momentum →
      </text>
      {drawn.map((sector) => {
        const points = sector.points.map((point) => [x(point.rs_ratio), y(point.rs_momentum)] as const);
        const [lastX, lastY] = points.at(-1)!;
        const last = sector.points.at(-1)!;
        const label = labelAt.get(sector.sector)!;
        const name = SHORT_LABELS[sector.sector] ?? nameOf(sector);
        const onLeft = lastX + 8 + name.length * CHAR_WIDTH > right;
        return (
          <g key={sector.sector} className="rrg-series" data-sector={sector.sector}>
            <title>{positionWords(sector, nameOf(sector), graph.interval)}</title>
            <path className="rrg-tail" d={tailPath(points)} />
            {points.slice(0, -1).map(([px, py], index) => (
              <circle
                key={sector.points[index]!.time}
                className="rrg-point"
                cx={px}
                cy={py}
                r={2.5}
                style={{ opacity: 0.35 + (0.5 * (index + 1)) / points.length }}
              />
            ))}
            <circle
              className="rrg-dot"
              cx={lastX}
              cy={lastY}
              r={5.5}
              data-testid="rrg-dot"
              data-sector={sector.sector}
              data-rs-ratio={last.rs_ratio}
              data-rs-momentum={last.rs_momentum}
              data-quadrant={sector.quadrant ?? quadrantOf(last.rs_ratio, last.rs_momentum)}
              data-points={sector.points.length}
            />
            <text
              className="rrg-label"
              x={onLeft ? lastX - 8 : lastX + 8}
              y={label.y}
              textAnchor={onLeft ? 'end' : 'start'}
              data-testid="rrg-label"
            >
              {name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
