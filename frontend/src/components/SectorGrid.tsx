import type { ColourHistory, SectorKey, SectorResult } from '../api/types';
import type { TimedSectorChange } from '../hooks/useSectors';
import type { TopListTimelines } from '../hooks/useTopListChanges';
import { SECTOR_ORDER } from '../constants';
import { SectorCard } from './SectorCard';

function rank(sector: SectorResult): number {
  const index = SECTOR_ORDER.indexOf(sector.sector);
  return index === -1 ? SECTOR_ORDER.length : index;
}

interface SectorGridProps {
  sectors: SectorResult[];
  changes?: Partial<Record<SectorKey, TimedSectorChange>>;
  /** Should be stable across renders, or every card re-renders with the page. */
  onOpen?: (sector: SectorResult) => void;
  /** Each card's top-list transitions. */
  lists?: TopListTimelines;
  /** Analysis time (ISO) of the grid. */
  asOf?: string;
  /** Analysis time (ISO) of the run that last changed each sector. */
  changedAsOf?: Partial<Record<SectorKey, string>>;
  /** What each colour was followed by on real history (null until loaded, or when it failed). */
  history?: ColourHistory | null;
}

/** The cards in display order. Each card is memoised: it re-renders only when its own props change. */
export function SectorGrid({
  sectors,
  changes = {},
  onOpen,
  lists = {},
  asOf,
  changedAsOf = {},
  history = null,
}: SectorGridProps) {
  const ordered = [...sectors].sort((a, b) => rank(a) - rank(b));
  return (
    <main className="sector-grid" data-testid="sector-grid">
      {ordered.map((sector) => (
        <SectorCard
          key={sector.sector}
          sector={sector}
          change={changes[sector.sector]}
          onOpen={onOpen}
          lists={lists[sector.sector]}
          asOf={asOf}
          changedAsOf={changedAsOf[sector.sector]}
          history={history}
        />
      ))}
    </main>
  );
}
