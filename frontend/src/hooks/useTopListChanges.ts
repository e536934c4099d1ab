import { useRef } from 'react';
import type { SectorsResponse, TopStock } from '../api/types';

export type Side = 'bullish' | 'bearish';
export type Tick = 'up' | 'down';

/** `sector:side` → the names of that top list, in order. */
export type TopLists = Record<string, TopStock[]>;

/** How long a name that entered a top list keeps its NEW badge. */
export const NEW_BADGE_MS = 60_000;
/** How long a name that left a top list stays drawn (fading out) under the current names. */
export const LEAVE_MS = 1_500;
/** How long a name whose change moved between two grids stays highlighted up or down. */
export const TICK_MS = 3_000;

export function listKey(sector: string, side: Side): string {
  return `${sector}:${side}`;
}

export function topLists(data: SectorsResponse): TopLists {
  const lists: TopLists = {};
  for (const card of data.sectors) {
    lists[listKey(card.sector, 'bullish')] = card.top_bullish;
    lists[listKey(card.sector, 'bearish')] = card.top_bearish;
  }
  return lists;
}

function symbols(stocks: readonly TopStock[] | undefined): string[] {
  return (stocks ?? []).map((stock) => stock.symbol);
}

/** What the page remembers about the top lists between grids, with when each transition happened. */
export interface TopListMemory {
  lists: TopLists | null;
  /** `key:symbol` → when it entered. */
  enteredAt: Map<string, number>;
  /** key → names that left it, with when. */
  left: Map<string, { stock: TopStock; at: number }[]>;
  /** `key:symbol` → direction and time of its last change between two grids. */
  ticks: Map<string, { tick: Tick; at: number }>;
}

export function emptyMemory(): TopListMemory {
  return { lists: null, enteredAt: new Map(), left: new Map(), ticks: new Map() };
}

/** Forgets transitions no longer on show, so a page left open for days stays small. */
function prune(memory: TopListMemory, now: number): void {
  for (const [key, at] of memory.enteredAt) if (now - at >= NEW_BADGE_MS) memory.enteredAt.delete(key);
  for (const [key, tick] of memory.ticks) if (now - tick.at >= TICK_MS) memory.ticks.delete(key);
  for (const [key, entries] of memory.left) {
    const kept = entries.filter((entry) => now - entry.at < LEAVE_MS);
    if (kept.length > 0) memory.left.set(key, kept);
    else memory.left.delete(key);
  }
}

/** Records the transitions from the remembered grid to `current` at `now` (in place). */
export function rememberLists(memory: TopListMemory, current: TopLists, now: number): void {
  const previous = memory.lists;
  memory.lists = current;
  prune(memory, now);
  if (previous === null) return;
  for (const [key, stocks] of Object.entries(current)) {
    const before = previous[key] ?? [];
    const beforeBySymbol = new Map(before.map((stock) => [stock.symbol, stock]));
    const present = new Set(symbols(stocks));
    for (const stock of stocks) {
      const earlier = beforeBySymbol.get(stock.symbol);
      if (earlier === undefined) {
        memory.enteredAt.set(`${key}:${stock.symbol}`, now);
      } else if (earlier.change_pct !== null && stock.change_pct !== null && earlier.change_pct !== stock.change_pct) {
        memory.ticks.set(`${key}:${stock.symbol}`, { tick: stock.change_pct > earlier.change_pct ? 'up' : 'down', at: now });
      }
    }
    const stillLeaving = (memory.left.get(key) ?? []).filter((entry) => !present.has(entry.stock.symbol));
    const leaving = before.filter((stock) => !present.has(stock.symbol)).map((stock) => ({ stock, at: now }));
    const merged = [...leaving, ...stillLeaving.filter((entry) => !leaving.some((l) => l.stock.symbol === entry.stock.symbol))];
    if (merged.length > 0) memory.left.set(key, merged);
    else memory.left.delete(key);
  }
}

/** The live transitions of one top list, as drawn. */
export interface ListChanges {
  /** Names that entered within NEW_BADGE_MS and are still in the list. */
  entered: ReadonlySet<string>;
  /** Names that left within LEAVE_MS, drawn fading out after the current ones. */
  leaving: readonly TopStock[];
  /** Names whose change moved up or down within TICK_MS. */
  ticks: ReadonlyMap<string, Tick>;
}

export const NO_CHANGES: ListChanges = { entered: new Set(), leaving: [], ticks: new Map() };

/** Per top list, the transitions still on show at `now`. */
export function listChanges(memory: TopListMemory, now: number): Record<string, ListChanges> {
  const result: Record<string, ListChanges> = {};
  for (const [key, stocks] of Object.entries(memory.lists ?? {})) {
    const entered = new Set<string>();
    const ticks = new Map<string, Tick>();
    for (const stock of stocks) {
      const at = memory.enteredAt.get(`${key}:${stock.symbol}`);
      if (at !== undefined && now - at < NEW_BADGE_MS) entered.add(stock.symbol);
      const tick = memory.ticks.get(`${key}:${stock.symbol}`);
      if (tick !== undefined && now - tick.at < TICK_MS) ticks.set(stock.symbol, tick.tick);
    }
    const leaving = (memory.left.get(key) ?? [])
      .filter((entry) => now - entry.at < LEAVE_MS)
      .map((entry) => entry.stock);
    if (entered.size > 0 || leaving.length > 0 || ticks.size > 0) result[key] = { entered, leaving, ticks };
  }
  return result;
}

/**
 * The transitions of every top list as the live grid changes: NEW badges for names that entered,
 * names that left fading out, and changes that moved up or down.
 */
export function useTopListChanges(data: SectorsResponse | null, now: number): Record<string, ListChanges> {
  const memory = useRef<TopListMemory>(emptyMemory());
  // The page re-renders every second for the clock; only a new grid can change the lists.
  const seen = useRef<SectorsResponse | null>(null);
  if (data === null) return {};
  if (data !== seen.current) {
    rememberLists(memory.current, topLists(data), now);
    seen.current = data;
  }
  return listChanges(memory.current, now);
}
