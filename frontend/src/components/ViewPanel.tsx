/**
 * A view shown beside or above the grid (the scanner, the rotation graph): a titled panel with a live
 * summary line and a Hide button, focused when opened from the keyboard, busy while it loads.
 */
import { type ReactNode, useEffect, useId, useRef } from 'react';
import './ViewPanel.css';

interface ViewPanelProps {
  /** The view's own class (its layout) and test id. */
  className: string;
  testId: string;
  title: string;
  /** The line beside the title, read out when it changes. */
  summary: ReactNode;
  busy: boolean;
  /** Move the focus into the panel when it opens (opened from the keyboard). */
  focusOnOpen: boolean;
  onClose: () => void;
  children: ReactNode;
}

export function ViewPanel({ className, testId, title, summary, busy, focusOnOpen, onClose, children }: ViewPanelProps) {
  const titleId = useId();
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focusOnOpen) panel.current?.focus();
  }, [focusOnOpen]);
  return (
    <section
      ref={panel}
      className={`view-panel ${className}`}
      aria-labelledby={titleId}
      data-testid={testId}
      tabIndex={-1}
      aria-busy={busy}
    >
      <header className="view-panel-head">
        <h2 id={titleId} className="view-panel-title">
          {title}
        </h2>
        <p className="view-panel-summary" data-testid={`${testId}-summary`} aria-live="polite">
          {summary}
        </p>
        <button type="button" className="control-button" onClick={onClose} data-testid={`${testId}-close`}>
          Hide
        </button>
      </header>
      {children}
    </section>
  );
}

/** A header toggle that shows or hides a view. */
export function ViewButton({
  open,
  onToggle,
  testId,
  title,
  children,
}: {
  open: boolean;
  onToggle: () => void;
  testId: string;
  title: string;
  children: ReactNode;
}) {
  return (
    <button type="button" className="control-button" aria-pressed={open} onClick={onToggle} data-testid={testId} title={title}>
      {children}
    </button>
  );
}
