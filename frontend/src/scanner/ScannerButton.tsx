/** The header's "Scanner" toggle, and whether the scanner is shown (kept in this browser). */
import { type Dispatch, type SetStateAction, useCallback, useState } from 'react';
import { HeaderToggle } from '../components/HeaderToggle';

export const SCANNER_OPEN_KEY = 'sectorlights.scanner.open';

/** Shown or not; `keyboard` is shown and opened by its shortcut, so the focus goes into it. */
export type ScannerShown = 'closed' | 'open' | 'keyboard';

function readOpen(): ScannerShown {
  try {
    return globalThis.localStorage?.getItem(SCANNER_OPEN_KEY) === 'true' ? 'open' : 'closed';
  } catch {
    return 'closed';
  }
}

/** Whether the scanner is shown; the choice is remembered for the next visit. */
export function useScannerOpen(): [ScannerShown, Dispatch<SetStateAction<ScannerShown>>] {
  const [shown, setShownState] = useState<ScannerShown>(readOpen);
  const setShown = useCallback((next: SetStateAction<ScannerShown>) => {
    setShownState((was) => {
      const value = typeof next === 'function' ? next(was) : next;
      try {
        globalThis.localStorage?.setItem(SCANNER_OPEN_KEY, String(value !== 'closed'));
      } catch {
        // Without storage the choice lasts for this page.
      }
      return value;
    });
  }, []);
  return [shown, setShown];
}

export function ScannerButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <HeaderToggle
      open={open}
      onToggle={onToggle}
      label="Scanner"
      testId="scanner-button"
      title="Gap scanner: the stocks moving most since the previous close (s)"
    />
  );
}
