/** What every modal dialog of the page does: focus moves in, Tab stays inside, Escape closes. */
import { useCallback, useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface ModalDialogOptions {
  /** Catch Escape on the way down and stop it there, so a dialog opened over another closes alone. */
  escapeFirst?: boolean;
  /** Give focus back to what had it when the dialog opened (off when the opener does that itself). */
  returnFocus?: boolean;
}

/** Refs for the dialog and its close button (focused on open), and the dialog's Tab trap. */
export function useModalDialog(
  onClose: () => void,
  { escapeFirst = false, returnFocus = true }: ModalDialogOptions = {},
) {
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const previous = returnFocus && document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => {
      if (previous && previous.isConnected) previous.focus();
    };
  }, [returnFocus]);

  // Escape closes wherever the focus is.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      if (escapeFirst) event.stopImmediatePropagation();
      onCloseRef.current();
    };
    document.addEventListener('keydown', onKey, escapeFirst);
    return () => document.removeEventListener('keydown', onKey, escapeFirst);
  }, [escapeFirst]);

  const trapTab = useCallback((event: ReactKeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Tab' || !dialogRef.current) return;
    const items = [...dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }, []);

  return { dialogRef, closeRef, trapTab };
}
