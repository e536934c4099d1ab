/** The header's "Scanner" toggle, and whether the scanner is shown (kept in this browser). */
import type { Dispatch, SetStateAction } from 'react';
import { ViewButton } from '../components/ViewPanel';
import { type Shown, useShown } from '../hooks/useShown';

export const SCANNER_OPEN_KEY = 'sectorlights.scanner.open';

/** Shown or not; `keyboard` is shown and opened by its shortcut, so the focus goes into it. */
export type ScannerShown = Shown;

/** Whether the scanner is shown; the choice is remembered for the next visit. */
export function useScannerOpen(): [ScannerShown, Dispatch<SetStateAction<ScannerShown>>] {
  return useShown(SCANNER_OPEN_KEY);
}

export function ScannerButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <ViewButton
      open={open}
      onToggle={onToggle}
      testId="scanner-button"
      title="Gap scanner: the stocks moving most since the previous close (s)"
    >
      Scanner
    </ViewButton>
  );
}
