/** A labelled choice of one sector or all of them, in grid order, named as the grid names them. */
import type { SectorKey } from '../api/types';
import { SECTOR_ORDER } from '../constants';
import { humanize } from '../format';

export function SectorSelect({
  value,
  onChange,
  labels,
  testId,
}: {
  value: SectorKey | null;
  onChange: (sector: SectorKey | null) => void;
  labels: Partial<Record<SectorKey, string>>;
  testId: string;
}) {
  return (
    <label>
      <span>Sector</span>
      <select value={value ?? ''} onChange={(event) => onChange((event.target.value || null) as SectorKey | null)} data-testid={testId}>
        <option value="">All sectors</option>
        {SECTOR_ORDER.map((sector) => (
          <option key={sector} value={sector}>
            {labels[sector] ?? humanize(sector)}
          </option>
        ))}
      </select>
    </label>
  );
}
