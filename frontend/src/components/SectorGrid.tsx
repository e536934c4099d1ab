import type { SectorKey, SectorResult } from '../api/types';
import { listKey, type ListChanges } from '../hooks/useTopListChanges';
import type { TimedSectorChange } from '../hooks/useSectors';
import { SECTOR_ORDER } from '../constants';
import { SectorCard } from './SectorCard';

function rank(sector: SectorResult): number {
  const index = SECTOR_ORDER.indexOf(sector.sector);
  return index === -1 ? SECTOR_ORDER.length : index;
}

interface SectorGridProps {
  sectors: SectorResult[];
  changes?: Partial<Record<SectorKey, TimedSectorChange>>;
  now?: number;
  onOpen?: (sector: SectorResult) => void;
  /** `sector:side` → that top list's live transitions. */
  listChanges?: Record<string, ListChanges>;
  /** Analysis time (ISO) of the grid. */
  asOf?: string;
  /** Analysis time (ISO) of the run that last changed each sector. */
  changedAsOf?: Partial<Record<SectorKey, string>>;
}

export function SectorGrid({
  sectors,
  changes = {},
  now,
  onOpen,
  listChanges = {},
  asOf,
  changedAsOf = {},
}: SectorGridProps) {
  const ordered = [...sectors].sort((a, b) => rank(a) - rank(b));
  return (
    <main className="sector-grid" data-testid="sector-grid">
      {ordered.map((sector) => (
        <SectorCard
          key={sector.sector}
          sector={sector}
          change={changes[sector.sector]}
          now={now}
          onOpen={onOpen}
          listChanges={{
            bullish: listChanges[listKey(sector.sector, 'bullish')],
            bearish: listChanges[listKey(sector.sector, 'bearish')],
          }}
          asOf={asOf}
          changedAsOf={changedAsOf[sector.sector]}
        />
      ))}
    </main>
  );
}
