import { useEffect, useId, useRef, useState } from 'react';
import { ALPHA_HELP, CONFIDENCE_HELP, RANK_HELP, SCORE_HELP, SQUEEZE_HELP } from './labels';
import './labels.css';

/** "How to read": one click opens what the grid's numbers mean; Escape or a second click closes it. */
export function Legend() {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <div className="legend popover-anchor">
      <button
        ref={button}
        type="button"
        className="control-button legend-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((was) => !was)}
        data-testid="legend-button"
      >
        <span aria-hidden="true">?</span> How to read
      </button>
      {open && (
        <div id={panelId} className="legend-panel popover popover-dropdown" role="region" aria-label="How to read the grid" data-testid="legend">
          <dl>
            <dt>Score (−1 … +1)</dt>
            <dd>{SCORE_HELP}</dd>
            <dt>Colour</dt>
            <dd>
              ▼ red: the sector fell against IWM · ◆ blue: neutral · ▲ green: it rose. The darker the colour,
              the stronger the score. Measured on real history, a colour is not a shorting signal: the darkest
              colours, red and green alike, were followed by more next-day squeezes (the note above the grid).
            </dd>
            <dt>Squeeze risk (low · normal · high)</dt>
            <dd>{SQUEEZE_HELP}</dd>
            <dt>Confidence</dt>
            <dd>{CONFIDENCE_HELP}</dd>
            <dt>α adj (alpha)</dt>
            <dd>{ALPHA_HELP}</dd>
            <dt>Top lists (#1, #2, #3)</dt>
            <dd>{RANK_HELP}</dd>
          </dl>
          <button
            type="button"
            className="control-button panel-close"
            onClick={() => {
              setOpen(false);
              button.current?.focus();
            }}
            data-testid="legend-close"
          >
            Close
          </button>
        </div>
      )}
    </div>
  );
}
