/**
 * What the trader chose about alerts, kept in this browser (localStorage): whether to notify and
 * beep, and which sectors and symbols are muted. A small store, so the settings panel and the
 * page's alert hook read the same choice.
 */
import { useSyncExternalStore } from 'react';

export const ALERT_SETTINGS_KEY = 'sectorlights.alerts';
/** Muted symbols kept at most: a mute list is typed by hand, not a data store. */
export const MAX_MUTED_SYMBOLS = 100;

export interface AlertSettings {
  /** Show a browser notification (the permission is asked only when the trader turns this on). */
  notify: boolean;
  /** Play a short beep. */
  sound: boolean;
  mutedSectors: string[];
  mutedSymbols: string[];
  /** Significant moves stay listed but neither notify nor beep (the moves strip's mute). */
  mutedMoves: boolean;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  notify: false,
  sound: false,
  mutedSectors: [],
  mutedSymbols: [],
  mutedMoves: false,
};

const listeners = new Set<() => void>();
let current: AlertSettings | null = null;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function strings(value: unknown, limit: number): string[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((item): item is string => typeof item === 'string'))].slice(0, limit);
}

/** What is stored, read defensively: anything malformed falls back to the defaults. */
export function readAlertSettings(): AlertSettings {
  try {
    const raw = storage()?.getItem(ALERT_SETTINGS_KEY);
    if (!raw) return DEFAULT_ALERT_SETTINGS;
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    return {
      notify: parsed.notify === true,
      sound: parsed.sound === true,
      mutedSectors: strings(parsed.mutedSectors, 16),
      mutedSymbols: strings(parsed.mutedSymbols, MAX_MUTED_SYMBOLS),
      mutedMoves: parsed.mutedMoves === true,
    };
  } catch {
    return DEFAULT_ALERT_SETTINGS;
  }
}

export function getAlertSettings(): AlertSettings {
  current ??= readAlertSettings();
  return current;
}

export function updateAlertSettings(change: (settings: AlertSettings) => AlertSettings): void {
  current = change(getAlertSettings());
  try {
    storage()?.setItem(ALERT_SETTINGS_KEY, JSON.stringify(current));
  } catch {
    // A full or disabled storage keeps the choice for this page only.
  }
  for (const listener of listeners) listener();
}

/** Forget the cached choice (tests, and another tab's change). */
export function reloadAlertSettings(): void {
  current = null;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === ALERT_SETTINGS_KEY) reloadAlertSettings();
  };
  globalThis.addEventListener?.('storage', onStorage);
  return () => {
    listeners.delete(listener);
    globalThis.removeEventListener?.('storage', onStorage);
  };
}

export function useAlertSettings(): AlertSettings {
  return useSyncExternalStore(subscribe, getAlertSettings, getAlertSettings);
}

export function toggleIn(list: readonly string[], item: string, on: boolean): string[] {
  const without = list.filter((entry) => entry !== item);
  return on ? [...without, item] : without;
}
