import { lazy, Suspense, useState } from 'react';
import { useAlertSettings } from './settings';
import './alerts.css';

const AlertsPanel = lazy(() => import('./AlertsPanel'));

/** The header's "Alerts" control; its panel loads on first open. */
export function AlertsButton({ labels }: { labels: Partial<Record<string, string>> }) {
  const [open, setOpen] = useState(false);
  const settings = useAlertSettings();
  const on = settings.notify || settings.sound;
  return (
    <div className="alerts popover-anchor">
      <button
        type="button"
        className="control-button"
        aria-expanded={open}
        onClick={() => setOpen((was) => !was)}
        data-testid="alerts-button"
        title="Notifications and sound for colour changes and big moves"
      >
        Alerts{on ? ' on' : ''}
      </button>
      {open && (
        <Suspense fallback={<span className="alerts-loading">Loading…</span>}>
          <AlertsPanel labels={labels} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </div>
  );
}
