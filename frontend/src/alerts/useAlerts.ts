import { useEffect, useRef, useState } from 'react';
import type { SectorKey } from '../api/types';
import { colorName, formatPercent } from '../format';
import type { TimedMove, TimedSectorChange } from '../hooks/useSectors';
import { beep, showNotification } from './notify';
import { type AlertSettings, useAlertSettings } from './settings';

/** How recent (ms) an event must be to alert: the moves a snapshot replays on connect are history. */
export const ALERT_FRESH_MS = 10_000;

export interface Alert {
  key: string;
  title: string;
  body: string;
  direction: 'up' | 'down';
  sector: SectorKey;
  symbol: string | null;
}

const RANK = { dark_red: 0, light_red: 1, blue_neutral: 2, light_green: 3, dark_green: 4 } as const;

/** The alerts in a page's state: sectors that changed colour, and significant moves, fresh at `now`. */
export function alertsOf(
  changes: Partial<Record<SectorKey, TimedSectorChange>>,
  moves: readonly TimedMove[],
  labels: Partial<Record<SectorKey, string>>,
  now: number,
): Alert[] {
  const alerts: Alert[] = [];
  for (const change of Object.values(changes)) {
    if (!change || change.previous_color === change.color || now - change.at > ALERT_FRESH_MS) continue;
    const label = labels[change.sector] ?? change.sector;
    alerts.push({
      key: `sector:${change.sector}:${change.at}`,
      title: `${label} turned ${colorName(change.color)}`,
      body: `${label}: ${change.previous_color ? colorName(change.previous_color) : 'no colour'} → ${colorName(change.color)}`,
      direction: change.previous_color && RANK[change.color] < RANK[change.previous_color] ? 'down' : 'up',
      sector: change.sector,
      symbol: null,
    });
  }
  for (const move of moves) {
    if (now - move.at > ALERT_FRESH_MS) continue;
    const label = labels[move.sector] ?? move.sector;
    alerts.push({
      key: `move:${move.symbol}:${move.at}`,
      title: `${move.symbol} ${formatPercent(move.change_pct)}`,
      body: `${move.symbol} ${formatPercent(move.change_pct)} at $${move.price.toFixed(2)} (${label})`,
      direction: move.direction === 'down' ? 'down' : 'up',
      sector: move.sector,
      symbol: move.symbol,
    });
  }
  return alerts;
}

export function isMuted(alert: Alert, settings: AlertSettings): boolean {
  if (settings.mutedSectors.includes(alert.sector)) return true;
  if (alert.symbol !== null && settings.mutedMoves) return true;
  return alert.symbol !== null && settings.mutedSymbols.includes(alert.symbol);
}

function hidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

/**
 * Notifies and beeps (as the trader opted in) for each new, unmuted alert, and counts those that
 * arrived while the tab was hidden until it is seen again. Returns that unseen count.
 */
export function useAlerts(
  changes: Partial<Record<SectorKey, TimedSectorChange>>,
  moves: readonly TimedMove[],
  labels: Partial<Record<SectorKey, string>>,
): number {
  const settings = useAlertSettings();
  const seen = useRef(new Set<string>());
  const [unseen, setUnseen] = useState(0);

  useEffect(() => {
    const fresh = alertsOf(changes, moves, labels, Date.now()).filter((alert) => !seen.current.has(alert.key));
    if (fresh.length === 0) return;
    for (const alert of fresh) seen.current.add(alert.key);
    const wanted = fresh.filter((alert) => !isMuted(alert, settings));
    if (wanted.length === 0) return;
    if (settings.notify) for (const alert of wanted) showNotification(alert.title, alert.body, alert.key);
    if (settings.sound) beep(wanted[0]!.direction);
    if (hidden()) setUnseen((count) => count + wanted.length);
    // Settings are read when an alert arrives; changing them does not replay old alerts.
  }, [changes, moves]);

  useEffect(() => {
    const onVisibility = () => {
      if (!hidden()) setUnseen(0);
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  return unseen;
}

/** The tab's title with the unseen alerts in front: "(3) 06:37 ET · SectorLights". */
export function titleWithAlerts(title: string, unseen: number): string {
  return unseen > 0 ? `(${unseen}) ${title}` : title;
}
