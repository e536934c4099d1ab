import { type FormEvent, useState } from 'react';
import { SYMBOL_PATTERN } from '../api/actions';
import { SECTOR_ORDER } from '../constants';
import { humanize } from '../format';
import { beep, notificationPermission, requestNotificationPermission } from './notify';
import { MAX_MUTED_SYMBOLS, toggleIn, updateAlertSettings, useAlertSettings } from './settings';

interface Props {
  labels: Partial<Record<string, string>>;
  onClose: () => void;
}

const PERMISSION_TEXT = {
  granted: 'Notifications allowed',
  denied: 'Notifications are blocked in this browser’s site settings',
  default: 'Not asked yet',
  unsupported: 'This browser cannot show notifications',
} as const;

/** Alert choices: notifications (asked on click), sound, muted sectors and symbols. Loaded on first open. */
export default function AlertsPanel({ labels, onClose }: Props) {
  const settings = useAlertSettings();
  const [permission, setPermission] = useState(notificationPermission);
  const [symbol, setSymbol] = useState('');
  const [invalid, setInvalid] = useState(false);

  const toggleNotify = async (on: boolean) => {
    if (on) {
      const answer = await requestNotificationPermission();
      setPermission(answer);
      if (answer !== 'granted') return;
    }
    updateAlertSettings((s) => ({ ...s, notify: on }));
  };

  const toggleSound = (on: boolean) => {
    updateAlertSettings((s) => ({ ...s, sound: on }));
    // A click is the moment browsers let audio start; the beep also says what it will sound like.
    if (on) beep('up');
  };

  const muteSymbol = (event: FormEvent) => {
    event.preventDefault();
    const wanted = symbol.trim().toUpperCase();
    if (!SYMBOL_PATTERN.test(wanted)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setSymbol('');
    updateAlertSettings((s) => ({
      ...s,
      mutedSymbols: toggleIn(s.mutedSymbols, wanted, true).slice(-MAX_MUTED_SYMBOLS),
    }));
  };

  return (
    <div className="alerts-panel popover popover-dropdown" role="region" aria-label="Alert settings" data-testid="alerts-panel">
      <fieldset>
        <legend>Alert me when a sector changes colour or a stock moves 15 %+</legend>
        <label>
          <input
            type="checkbox"
            checked={settings.notify && permission === 'granted'}
            disabled={permission === 'unsupported' || permission === 'denied'}
            onChange={(event) => void toggleNotify(event.target.checked)}
            data-testid="alerts-notify"
          />{' '}
          Browser notification
        </label>
        <span className="alerts-hint" data-testid="alerts-permission">
          {PERMISSION_TEXT[permission]}
        </span>
        <label>
          <input
            type="checkbox"
            checked={settings.sound}
            onChange={(event) => toggleSound(event.target.checked)}
            data-testid="alerts-sound"
          />{' '}
          Sound
        </label>
      </fieldset>
      <fieldset>
        <legend>Mute sectors</legend>
        <div className="alerts-sectors">
          {SECTOR_ORDER.map((sector) => (
            <label key={sector}>
              <input
                type="checkbox"
                checked={settings.mutedSectors.includes(sector)}
                onChange={(event) =>
                  updateAlertSettings((s) => ({
                    ...s,
                    mutedSectors: toggleIn(s.mutedSectors, sector, event.target.checked),
                  }))
                }
                data-testid={`mute-sector-${sector}`}
              />{' '}
              {labels[sector] ?? humanize(sector)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Mute symbols</legend>
        <form onSubmit={muteSymbol} className="alerts-mute-form" noValidate>
          <label className="visually-hidden" htmlFor="alerts-mute-symbol">
            Symbol to mute
          </label>
          <input
            id="alerts-mute-symbol"
            className="lookup-input"
            value={symbol}
            onChange={(event) => setSymbol(event.target.value.toUpperCase())}
            placeholder="e.g. SOUN"
            maxLength={16}
            aria-invalid={invalid}
            data-testid="mute-symbol-input"
          />
          <button type="submit" className="control-button">
            Mute
          </button>
        </form>
        {invalid && (
          <p className="field-error" role="alert">
            Enter 1–10 characters: letters A–Z, digits 0–9, "." or "-".
          </p>
        )}
        {settings.mutedSymbols.length > 0 && (
          <ul className="alerts-muted" data-testid="muted-symbols">
            {settings.mutedSymbols.map((muted) => (
              <li key={muted}>
                {muted}{' '}
                <button
                  type="button"
                  className="control-button"
                  aria-label={`Unmute ${muted}`}
                  onClick={() =>
                    updateAlertSettings((s) => ({ ...s, mutedSymbols: toggleIn(s.mutedSymbols, muted, false) }))
                  }
                >
                  Unmute
                </button>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <button type="button" className="control-button panel-close" onClick={onClose} data-testid="alerts-close">
        Close
      </button>
    </div>
  );
}
