import type { ColourHistory } from '../api/types';
import { colourMeaning } from '../colourHistory';

/** What the colours are measured to be, above the grid; the rule behind "edge" on hover. */
export function ColourNote({ history }: { history: ColourHistory | null }) {
  return (
    <p className="colour-note" data-testid="colour-note" title={history?.rule.text}>
      {colourMeaning(history)}
    </p>
  );
}
