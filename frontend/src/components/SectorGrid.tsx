import type { SectorResult } from '../api/types';
import { SECTOR_ORDER } from '../constants';
import { SectorCard } from './SectorCard';

function rank(sector: SectorResult): number {
  const index = SECTOR_ORDER.indexOf(sector.sector);
  return index === -1 ? SECTOR_ORDER.length : index;
}

export function SectorGrid({ sectors }: { sectors: SectorResult[] }) {
  const ordered = [...sectors].sort((a, b) => rank(a) - rank(b));
  return (
    <main className="sector-grid" data-testid="sector-grid">
      {ordered.map((sector) => (
        <SectorCard key={sector.sector} sector={sector} />
      ))}
    </main>
  );
}
