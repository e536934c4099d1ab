/** A header button that shows or hides a view; pressed while the view is shown. */
export function HeaderToggle({
  open,
  onToggle,
  label,
  title,
  testId,
}: {
  open: boolean;
  onToggle: () => void;
  label: string;
  title: string;
  testId: string;
}) {
  return (
    <button type="button" className="control-button" aria-pressed={open} onClick={onToggle} data-testid={testId} title={title}>
      {label}
    </button>
  );
}
