import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import AlertsPanel from './AlertsPanel';
import { ALERT_SETTINGS_KEY, getAlertSettings, reloadAlertSettings } from './settings';

describe('AlertsPanel', () => {
  let requested = 0;
  beforeEach(() => {
    localStorage.removeItem(ALERT_SETTINGS_KEY);
    reloadAlertSettings();
    requested = 0;
    const FakeNotification = {
      permission: 'default' as NotificationPermission,
      requestPermission: () => {
        requested += 1;
        FakeNotification.permission = 'granted';
        return Promise.resolve('granted' as NotificationPermission);
      },
    };
    vi.stubGlobal('Notification', FakeNotification);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('asks for the notification permission only when the box is ticked', async () => {
    render(<AlertsPanel labels={{ technology: 'Technology' }} onClose={() => undefined} />);
    expect(requested).toBe(0);
    expect(screen.getByTestId('alerts-permission')).toHaveTextContent('Not asked yet');
    await act(async () => {
      fireEvent.click(screen.getByTestId('alerts-notify'));
    });
    expect(requested).toBe(1);
    expect(getAlertSettings().notify).toBe(true);
    expect(JSON.parse(localStorage.getItem(ALERT_SETTINGS_KEY)!).notify).toBe(true);
  });

  it('mutes sectors and valid symbols, and unmutes them', () => {
    render(<AlertsPanel labels={{ technology: 'Technology' }} onClose={() => undefined} />);
    fireEvent.click(screen.getByTestId('mute-sector-technology'));
    expect(getAlertSettings().mutedSectors).toEqual(['technology']);
    const input = screen.getByTestId('mute-symbol-input');
    fireEvent.change(input, { target: { value: 'soun' } });
    fireEvent.submit(input.closest('form')!);
    fireEvent.change(input, { target: { value: 'not a symbol' } });
    fireEvent.submit(input.closest('form')!);
    expect(screen.getByRole('alert')).toHaveTextContent('letters A–Z');
    expect(getAlertSettings().mutedSymbols).toEqual(['SOUN']);
    fireEvent.click(screen.getByRole('button', { name: 'Unmute SOUN' }));
    expect(getAlertSettings().mutedSymbols).toEqual([]);
  });

  it('reads malformed stored settings as the defaults', () => {
    localStorage.setItem(ALERT_SETTINGS_KEY, '{"notify": "yes", "mutedSymbols": [1, "AAC", "AAC"], "mutedMoves": "on"}');
    reloadAlertSettings();
    expect(getAlertSettings()).toEqual({
      notify: false,
      sound: false,
      mutedSectors: [],
      mutedSymbols: ['AAC'],
      mutedMoves: false,
    });
  });
});
