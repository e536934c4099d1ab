/**
 * The member heatmap: one sector's or every sector's members as a treemap, each tile sized by market
 * cap or float and coloured by the chosen timeframe's change; a tile opens its stock. Members whose
 * size is unknown (no float known) are listed under the map, never dropped silently.
 */
import { type RefObject, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ApiError } from '../api/client';
import { SectorSelect } from '../components/SectorSelect';
import { DEFAULT_HEATMAP_QUERY, fetchHeatmap, type HeatmapQuery } from '../api/heatmap';
import type { HeatmapMember, HeatmapPage, HeatmapSize, SectorKey, Timeframe } from '../api/types';
import { SECTOR_ORDER, TIMEFRAMES } from '../constants';
import { formatCompact, formatEtTime, formatPercent, timeframeLabel } from '../format';
import { useModalDialog } from '../hooks/useModalDialog';
import { useRequest } from '../hooks/useRequest';
import { StockButton, useOpenStock } from '../stock/open';
import { pick, readStoredObject, storeObject } from '../storedChoices';
import { FULL_SCALE_PCT, textOn, tileFill } from './colours';
import { layoutHeatmap, mapHeight, type MemberBox, tileText } from './layout';
import { Modal } from '../components/Modal';
import './heatmap.css';

export const HEATMAP_QUERY_KEY = 'sectorlights.heatmap.query';
const SIZE_LABELS: Record<HeatmapSize, string> = { market_cap: 'Market cap', float: 'Float' };

function readQuery(): HeatmapQuery {
  const stored = readStoredObject(HEATMAP_QUERY_KEY) ?? {};
  return {
    sector: pick<SectorKey | null>(stored.sector, [null, ...SECTOR_ORDER], null),
    timeframe: pick(stored.timeframe, TIMEFRAMES, DEFAULT_HEATMAP_QUERY.timeframe),
    sizeBy: pick<HeatmapSize>(stored.sizeBy, ['market_cap', 'float'], DEFAULT_HEATMAP_QUERY.sizeBy),
  };
}

/** The map's width in pixels, followed as the dialog resizes. */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(960);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const measure = () => {
      if (element.clientWidth > 0) setWidth(element.clientWidth);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

function errorText(error: ApiError): string {
  if (error.status === null) return error.message;
  return error.detail ? `${error.detail} (HTTP ${error.status})` : error.message;
}

function describe(member: HeatmapMember, box: MemberBox, timeframe: Timeframe, sizeBy: HeatmapSize): string {
  const change = member.change_pct === null ? 'no change figure' : `${formatPercent(member.change_pct, 2)} over ${timeframeLabel(timeframe)}`;
  const size = sizeBy === 'float' ? `float ${formatCompact(member.float_shares)} shares` : `market cap $${formatCompact(member.market_cap)}`;
  return `${member.symbol} (${member.name}), ${box.sector.label}: ${change}, ${size}`;
}

function Tile({ box, timeframe, sizeBy }: { box: MemberBox; timeframe: Timeframe; sizeBy: HeatmapSize }) {
  const open = useOpenStock();
  const { member } = box;
  const fill = tileFill(member.change_pct, timeframe);
  const shows = tileText(box);
  const label = describe(member, box, timeframe, sizeBy);
  return (
    <button
      type="button"
      className="heatmap-tile"
      style={{ left: box.x, top: box.y, width: box.width, height: box.height, background: fill, color: textOn(fill) }}
      onClick={() => open?.(member.symbol)}
      aria-label={label}
      title={label}
      data-testid="heatmap-tile"
      data-symbol={member.symbol}
      data-sector={box.sector.sector}
      data-change={member.change_pct ?? ''}
      data-size={member.size_value ?? ''}
      data-area={Math.round(box.width * box.height)}
    >
      {shows !== 'none' && <span className="heatmap-symbol">{member.symbol}</span>}
      {shows === 'both' && <span className="heatmap-change">{member.change_pct === null ? 'n/a' : formatPercent(member.change_pct, 1)}</span>}
    </button>
  );
}

function HeatmapMap({ page }: { page: HeatmapPage }) {
  const [ref, width] = useWidth();
  const height = mapHeight(width);
  const layout = layoutHeatmap(page.sectors, { x: 0, y: 0, width, height });
  return (
    <div ref={ref} className="heatmap-map" style={{ height }} data-testid="heatmap-map">
      {layout.sectors.map((box) => (
        <div
          key={box.sector.sector}
          className="heatmap-sector"
          style={{ left: box.x, top: box.y, width: box.width, height: box.height }}
          data-testid="heatmap-sector"
          data-sector={box.sector.sector}
        >
          {box.titled && (
            <span className="heatmap-sector-title">
              {box.sector.label} {box.sector.change_pct === null ? '' : formatPercent(box.sector.change_pct, 1)}
            </span>
          )}
        </div>
      ))}
      {layout.members.map((box) => (
        <Tile key={box.member.symbol} box={box} timeframe={page.timeframe} sizeBy={page.size_by} />
      ))}
    </div>
  );
}

function Scale({ timeframe }: { timeframe: Timeframe }) {
  const full = FULL_SCALE_PCT[timeframe];
  const stops = [-full, -full / 2, 0, full / 2, full];
  return (
    <ol className="heatmap-scale" aria-label={`Colour scale: full red at ${-full} %, full green at +${full} %`}>
      {stops.map((value) => {
        const fill = tileFill(value, timeframe);
        return (
          <li key={value} style={{ background: fill, color: textOn(fill) }}>
            {value === 0 ? '0 %' : `${formatPercent(value, 0)}${Math.abs(value) === full ? ' or more' : ''}`}
          </li>
        );
      })}
    </ol>
  );
}

interface HeatmapPanelProps {
  labels: Partial<Record<SectorKey, string>>;
  /** Changes when a new analysis arrives: the map asks again. */
  refreshKey: string;
  onClose: () => void;
}

export default function HeatmapPanel({ labels, refreshKey, onClose }: HeatmapPanelProps) {
  const [query, setQuery] = useState<HeatmapQuery>(readQuery);
  const change = (part: Partial<HeatmapQuery>) => setQuery((was) => ({ ...was, ...part }));
  useEffect(() => storeObject(HEATMAP_QUERY_KEY, query), [query]);
  const load = useRequest((signal) => fetchHeatmap(query, signal), [query.sector, query.timeframe, query.sizeBy, refreshKey]);
  const { dialogRef, closeRef, trapTab } = useModalDialog(onClose);
  const [shown, setShown] = useState<HeatmapPage | null>(null);
  useEffect(() => {
    if (load.state === 'ok') setShown(load.data);
  }, [load]);
  const page = load.state === 'ok' ? load.data : shown;
  const unsized = page?.sectors.flatMap((sector) => sector.members.filter((member) => member.size_value === null)) ?? [];
  const missing = page?.sectors.filter((sector) => sector.missing_reason !== null) ?? [];

  return (
    <Modal
      backdropClassName="heatmap-backdrop"
      className="heatmap-panel"
      dialogRef={dialogRef}
      onClose={onClose}
      aria-labelledby="heatmap-title"
      data-testid="heatmap-panel"
      onKeyDown={trapTab}
    >
      <header className="heatmap-head">
        <h2 id="heatmap-title">Member heatmap</h2>
        <p className="muted" data-testid="heatmap-summary">
          {page
            ? `${page.member_count} members · ${SIZE_LABELS[page.size_by].toLowerCase()} sizes · ${timeframeLabel(page.timeframe)} change · as of ${formatEtTime(page.as_of)}`
            : ''}
          {load.state === 'loading' && page ? ' · updating' : ''}
        </p>
        <button ref={closeRef} type="button" className="detail-close" onClick={onClose} aria-label="Close the heatmap" data-testid="heatmap-close">
          ×
        </button>
      </header>
      <form className="heatmap-controls" onSubmit={(event) => event.preventDefault()}>
        <SectorSelect value={query.sector} onChange={(sector) => change({ sector })} labels={labels} testId="heatmap-sector-select" />
        <label>
          <span>Colour by</span>
          <select value={query.timeframe} onChange={(event) => change({ timeframe: event.target.value as Timeframe })} data-testid="heatmap-timeframe">
            {TIMEFRAMES.map((timeframe) => (
              <option key={timeframe} value={timeframe}>
                {timeframeLabel(timeframe)} change
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Size by</span>
          <select value={query.sizeBy} onChange={(event) => change({ sizeBy: event.target.value as HeatmapSize })} data-testid="heatmap-size-by">
            <option value="market_cap">Market cap</option>
            <option value="float">Float</option>
          </select>
        </label>
      </form>
      {load.state === 'error' && (
        <p className="heatmap-status" role="alert" data-testid="heatmap-error">
          {load.error.status === 409 ? 'No analysis yet: the heatmap fills in once the first analysis is done.' : `Could not load the heatmap: ${errorText(load.error)}`}
          {page ? ' Showing the last map received.' : ''}
        </p>
      )}
      {!page && load.state === 'loading' && (
        <p className="heatmap-status" role="status">
          Loading the heatmap…
        </p>
      )}
      {page && <Scale timeframe={page.timeframe} />}
      {page && <HeatmapMap page={page} />}
      {missing.length > 0 && (
        <p className="muted" data-testid="heatmap-missing">
          {missing[0]!.label}
          {missing.length > 1 ? ` and ${missing.length - 1} more` : ''}: no {timeframeLabel(page!.timeframe)} figure ({missing[0]!.missing_reason}); tiles without a change are grey.
        </p>
      )}
      {unsized.length > 0 && (
        <p className="heatmap-unsized" data-testid="heatmap-unsized">
          <span>No {page?.size_by === 'float' ? 'float' : 'size'} known, not drawn ({unsized.length}):</span>{' '}
          {unsized.map((member) => (
            <StockButton key={member.symbol} symbol={member.symbol} />
          ))}
        </p>
      )}
    </Modal>
  );
}
