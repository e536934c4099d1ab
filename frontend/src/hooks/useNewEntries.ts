import { useRef } from 'react';
import type { SectorsResponse } from '../api/types';

export type Side = 'bullish' | 'bearish';

/** `sector:side` → the symbols of that top list. */
export type TopLists = Record<string, string[]>;

/** How long a name that entered a top list keeps its NEW badge. */
export const NEW_BADGE_MS = 60_000;

export function listKey(sector: string, side: Side): string {
  return `${sector}:${side}`;
}

export function topLists(data: SectorsResponse): TopLists {
  const lists: TopLists = {};
  for (const card of data.sectors) {
    lists[listKey(card.sector, 'bullish')] = card.top_bullish.map((stock) => stock.symbol);
    lists[listKey(card.sector, 'bearish')] = card.top_bearish.map((stock) => stock.symbol);
  }
  return lists;
}

/** Names in `current` that were not in the same list of `previous` (nothing for a first grid). */
export function enteredNames(previous: TopLists | null, current: TopLists): Record<string, string[]> {
  if (previous === null) return {};
  const entered: Record<string, string[]> = {};
  for (const [key, symbols] of Object.entries(current)) {
    const before = new Set(previous[key] ?? []);
    const fresh = symbols.filter((symbol) => !before.has(symbol));
    if (fresh.length > 0) entered[key] = fresh;
  }
  return entered;
}

/**
 * The names marked NEW per top list: those that entered it (as the live grid changed) within the
 * last `holdMs`, and are still in it.
 */
export function useNewEntries(
  data: SectorsResponse | null,
  now: number,
  holdMs = NEW_BADGE_MS,
): Record<string, ReadonlySet<string>> {
  const previous = useRef<TopLists | null>(null);
  const since = useRef<Map<string, number>>(new Map());
  if (data === null) return {};
  const current = topLists(data);
  const changed = previous.current === null || JSON.stringify(previous.current) !== JSON.stringify(current);
  if (changed) {
    for (const [key, symbols] of Object.entries(enteredNames(previous.current, current))) {
      for (const symbol of symbols) since.current.set(`${key}:${symbol}`, now);
    }
    previous.current = current;
  }
  const marked: Record<string, Set<string>> = {};
  for (const [key, symbols] of Object.entries(current)) {
    for (const symbol of symbols) {
      const at = since.current.get(`${key}:${symbol}`);
      if (at !== undefined && now - at < holdMs) (marked[key] ??= new Set()).add(symbol);
    }
  }
  return marked;
}
