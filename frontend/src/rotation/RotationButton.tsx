/** The header's "Rotation" toggle, and whether the rotation graph is shown (kept in this browser). */
import type { Dispatch, SetStateAction } from 'react';
import { ViewButton } from '../components/ViewPanel';
import { type Shown, useShown } from '../hooks/useShown';

export const ROTATION_OPEN_KEY = 'sectorlights.rotation.open';

export function useRotationOpen(): [Shown, Dispatch<SetStateAction<Shown>>] {
  return useShown(ROTATION_OPEN_KEY);
}

export function RotationButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <ViewButton
      open={open}
      onToggle={onToggle}
      testId="rotation-button"
      title="Sector rotation against IWM: where each sector stands and where it is heading (r)"
    >
      Rotation
    </ViewButton>
  );
}
