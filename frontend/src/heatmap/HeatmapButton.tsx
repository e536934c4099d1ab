/** The header's "Heatmap" toggle. */
import { HeaderToggle } from '../components/HeaderToggle';

export function HeatmapButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <HeaderToggle
      open={open}
      onToggle={onToggle}
      label="Heatmap"
      testId="heatmap-button"
      title="Member heatmap: every member sized by market cap or float, coloured by its change (m)"
    />
  );
}
