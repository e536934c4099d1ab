/**
 * The symbols the trader pinned and their links out to charting sites, kept in their preferences on
 * the server. Loaded once on first use; a pin shows at once and is saved behind it (the whole
 * preferences object, as the PUT takes it), and a failed save puts the list back as the server has
 * it. Both go through the one copy of the preferences here, so saving one never undoes the other.
 */
import { useSyncExternalStore } from 'react';
import { fetchPreferences, savePreferences } from '../api/preferences';
import type { ChartLink, Preferences } from '../api/types';

/** The server's bound on a watchlist (domain/preferences.py). */
export const WATCHLIST_MAX = 50;

export interface WatchlistState {
  symbols: readonly string[];
  /** Why the last load or save failed, for the panel to say. */
  error: string | null;
  /** The links out to charting sites; null until the preferences are loaded. */
  chartLinks: readonly ChartLink[] | null;
}

const EMPTY: WatchlistState = { symbols: [], error: null, chartLinks: null };
let state: WatchlistState = EMPTY;
let saved: Preferences | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

function set(next: WatchlistState): void {
  state = next;
  for (const listener of listeners) listener();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function loadWatchlist(): Promise<void> {
  loading ??= fetchPreferences().then(
    (preferences) => {
      saved = preferences;
      set({ symbols: preferences.watchlist ?? [], error: null, chartLinks: preferences.chart_links ?? [] });
    },
    (error: unknown) => {
      loading = null;
      set({ ...state, error: `Watchlist not loaded: ${message(error)}` });
    },
  );
  return loading;
}

/** Pins or unpins `symbol`; resolves once the server has kept it (or refused it). */
export async function setPinned(symbol: string, pinned: boolean): Promise<void> {
  await loadWatchlist();
  const without = state.symbols.filter((entry) => entry !== symbol);
  if (pinned && without.length >= WATCHLIST_MAX) {
    set({ ...state, error: `The watchlist holds at most ${WATCHLIST_MAX} symbols.` });
    return;
  }
  const symbols = pinned ? [...without, symbol] : without;
  set({ ...state, symbols, error: null });
  if (saved === null) return;
  try {
    saved = await savePreferences({ ...saved, watchlist: [...symbols] });
    set({ ...state, symbols: saved.watchlist ?? [], error: null });
  } catch (error) {
    set({ ...state, symbols: saved.watchlist ?? [], error: `Not saved: ${message(error)}` });
  }
}

/**
 * Replaces the links out to charting sites; resolves once the server has kept them. A refusal (422
 * naming the bad field) is thrown as the ApiError, for the editor to show; nothing changes then.
 */
export async function saveChartLinks(links: readonly ChartLink[]): Promise<void> {
  await loadWatchlist();
  if (saved === null) throw new Error(state.error ?? 'Preferences not loaded');
  saved = await savePreferences({ ...saved, chart_links: [...links] });
  set({ ...state, chartLinks: saved.chart_links ?? [] });
}

// Subscribing does not load: the page asks once (main.tsx), so a view without a signed-in user or
// a test of another view sends no request for it.
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const read = () => state;

export function useWatchlist(): WatchlistState {
  return useSyncExternalStore(subscribe, read, read);
}

/** Forget everything (tests). */
export function resetWatchlist(): void {
  state = EMPTY;
  saved = null;
  loading = null;
}
