import { useEffect, useRef } from 'react';
import { SECTOR_ORDER } from '../constants';
import { humanize } from '../format';

/** The keyboard shortcuts, listed on `?`; Escape or the button closes it. Loaded on first use. */
export default function ShortcutsHelp({
  labels,
  onClose,
}: {
  labels: Partial<Record<string, string>>;
  onClose: () => void;
}) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    close.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="shortcuts popover" role="dialog" aria-modal="false" aria-label="Keyboard shortcuts" data-testid="shortcuts">
      <h2 className="shortcuts-title">Keyboard shortcuts</h2>
      <dl className="shortcuts-list">
        <dt>
          <kbd>/</kbd>
        </dt>
        <dd>Look up a stock</dd>
        <dt>
          <kbd>s</kbd>
        </dt>
        <dd>Show or hide the gap scanner</dd>
        <dt>
          <kbd>m</kbd>
        </dt>
        <dd>Show or hide the member heatmap</dd>
        <dt>
          <kbd>r</kbd>
        </dt>
        <dd>Show or hide the sector rotation graph</dd>
        {SECTOR_ORDER.map((sector, index) => (
          <div key={sector}>
            <dt>
              <kbd>{index + 1}</kbd>
            </dt>
            <dd>Open {labels[sector] ?? humanize(sector)}</dd>
          </div>
        ))}
        <dt>
          <kbd>↓</kbd> <kbd>↑</kbd>
        </dt>
        <dd>In a card: its stocks, pins and “why” of a missing score</dd>
        <dt>
          <kbd>?</kbd>
        </dt>
        <dd>Show or hide this list</dd>
        <dt>
          <kbd>Esc</kbd>
        </dt>
        <dd>Close a panel, the drill-down or a stock</dd>
      </dl>
      <button ref={close} type="button" className="control-button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
