import type { SectorKey } from '../api/types';
import { colorName } from '../format';
import type { TimedSectorChange } from '../hooks/useSectors';

interface Props {
  changes: Partial<Record<SectorKey, TimedSectorChange>>;
  labels: Partial<Record<SectorKey, string>>;
}

/** The latest live color changes, said by screen readers (the cards only show them). */
export function changeAnnouncement(
  changes: Partial<Record<SectorKey, TimedSectorChange>>,
  labels: Partial<Record<SectorKey, string>>,
): string {
  const said: string[] = [];
  for (const change of Object.values(changes)) {
    if (!change || change.previous_color === null || change.previous_color === change.color) continue;
    const label = labels[change.sector] ?? change.sector;
    said.push(`${label} now ${colorName(change.color)}, was ${colorName(change.previous_color)}`);
  }
  return said.join('. ');
}

export function ChangeAnnouncer({ changes, labels }: Props) {
  return (
    <div className="visually-hidden" role="status" aria-live="polite" data-testid="change-announcer">
      {changeAnnouncement(changes, labels)}
    </div>
  );
}
