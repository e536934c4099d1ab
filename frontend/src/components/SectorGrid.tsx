import type { SectorKey, SectorResult } from '../api/types';
import { listKey } from '../hooks/useNewEntries';
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
  /** `sector:side` → names that just entered that top list. */
  newEntries?: Record<string, ReadonlySet<string>>;
}

export function SectorGrid({ sectors, changes = {}, now, onOpen, newEntries = {} }: SectorGridProps) {
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
          newSymbols={{
            bullish: newEntries[listKey(sector.sector, 'bullish')],
            bearish: newEntries[listKey(sector.sector, 'bearish')],
          }}
        />
      ))}
    </main>
  );
}
