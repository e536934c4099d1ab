/** The header's "Heatmap" toggle. */
import { ViewButton } from '../components/ViewPanel';

export function HeatmapButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <ViewButton
      open={open}
      onToggle={onToggle}
      testId="heatmap-button"
      title="Member heatmap: every member sized by market cap or float, coloured by its change (m)"
    >
      Heatmap
    </ViewButton>
  );
}
