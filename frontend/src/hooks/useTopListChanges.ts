import type { SectorKey, SectorResult, SectorsResponse, TopListSide, TopStock } from '../api/types';
import type { TopListTransition } from '../data/source';
import { useNowUntil } from './useNow';

export type Tick = 'up' | 'down';

/** How long a name that entered a top list keeps its NEW badge. */
export const NEW_BADGE_MS = 60_000;
/** How long a name that left a top list stays drawn (fading out) under the current names. */
export const LEAVE_MS = 1_500;
/** How long a name whose change moved between two grids stays highlighted up or down. */
export const TICK_MS = 3_000;
/** The smallest move (percentage points) of a listed name's change that flashes it: smaller ones
 * come with every grid and would keep every list flickering. */
export const TICK_MIN_CHANGE_PCT = 0.5;

export const TOP_LIST_SIDES: readonly TopListSide[] = ['bullish', 'bearish'];

/** The card field holding a side's list. */
export function topListOf(card: SectorResult, side: TopListSide): TopStock[] {
  return side === 'bullish' ? card.top_bullish : card.top_bearish;
}

/** When each transition of one top list happened (ms since epoch). */
export interface ListTimeline {
  /** Symbol → when it entered. */
  entered: ReadonlyMap<string, number>;
  /** Names that left, newest first, with when. */
  left: readonly { stock: TopStock; at: number }[];
  /** Symbol → direction and time of its change's last move between two grids. */
  ticks: ReadonlyMap<string, { tick: Tick; at: number }>;
}

/** A card's two timelines; a card whose lists never changed has none. */
export type SectorTimelines = Partial<Record<TopListSide, ListTimeline>>;

/** Every card's timelines. Updates replace only the cards they touch, so the others keep their props. */
export type TopListTimelines = Partial<Record<SectorKey, SectorTimelines>>;

const EMPTY_TIMELINE: ListTimeline = { entered: new Map(), left: [], ticks: new Map() };

/** Forgets what is no longer on show at `now`, so a page left open for days stays small. */
function pruned(timeline: ListTimeline, now: number): ListTimeline {
  return {
    entered: new Map([...timeline.entered].filter(([, at]) => now - at < NEW_BADGE_MS)),
    left: timeline.left.filter((entry) => now - entry.at < LEAVE_MS),
    ticks: new Map([...timeline.ticks].filter(([, entry]) => now - entry.at < TICK_MS)),
  };
}

function updated(
  timelines: TopListTimelines,
  sector: SectorKey,
  side: TopListSide,
  at: number,
  update: (timeline: ListTimeline) => ListTimeline,
): TopListTimelines {
  const card = timelines[sector] ?? {};
  return { ...timelines, [sector]: { ...card, [side]: update(pruned(card[side] ?? EMPTY_TIMELINE, at)) } };
}

/** Records the names the server says entered and left their lists at `at`. */
export function recordTransitions(
  timelines: TopListTimelines,
  transitions: readonly TopListTransition[],
  at: number,
): TopListTimelines {
  return transitions.reduce(
    (next, { sector, side, entered, left }) =>
      updated(next, sector, side, at, (timeline) => {
        const came = new Set(entered);
        const went = new Set(left.map((stock) => stock.symbol));
        const since = new Map([...timeline.entered].filter(([symbol]) => !went.has(symbol)));
        for (const symbol of entered) since.set(symbol, at);
        // A name that comes back stops fading out; one that leaves again fades out anew.
        const stillLeaving = timeline.left.filter(({ stock }) => !came.has(stock.symbol) && !went.has(stock.symbol));
        return { ...timeline, entered: since, left: [...left.map((stock) => ({ stock, at })), ...stillLeaving] };
      }),
    timelines,
  );
}

/** Each name of `after` whose change moved since `before`: up or down. */
function movedChanges(before: readonly TopStock[], after: readonly TopStock[]): Map<string, Tick> {
  const earlier = new Map(before.map((stock) => [stock.symbol, stock.change_pct]));
  const moved = new Map<string, Tick>();
  for (const { symbol, change_pct: now } of after) {
    const then = earlier.get(symbol);
    if (then === undefined || Math.abs(now - then) < TICK_MIN_CHANGE_PCT) continue;
    moved.set(symbol, now > then ? 'up' : 'down');
  }
  return moved;
}

/**
 * Records at `at` the names whose change moved from `previous` to `current` while they stayed in
 * their list. The server sends no such event: the grids tell.
 */
export function recordTicks(
  timelines: TopListTimelines,
  previous: SectorsResponse | null,
  current: SectorsResponse,
  at: number,
): TopListTimelines {
  if (previous === null) return timelines;
  const before = new Map(previous.sectors.map((card) => [card.sector, card]));
  let next = timelines;
  for (const card of current.sectors) {
    const old = before.get(card.sector);
    if (old === undefined) continue;
    for (const side of TOP_LIST_SIDES) {
      const moved = movedChanges(topListOf(old, side), topListOf(card, side));
      if (moved.size === 0) continue;
      next = updated(next, card.sector, side, at, (timeline) => {
        const ticks = new Map(timeline.ticks);
        for (const [symbol, tick] of moved) ticks.set(symbol, { tick, at });
        return { ...timeline, ticks };
      });
    }
  }
  return next;
}

/** The transitions of one top list on show. */
export interface ListChanges {
  /** Names that entered within NEW_BADGE_MS. */
  entered: ReadonlySet<string>;
  /** Names that left within LEAVE_MS, drawn fading out after the current ones. */
  leaving: readonly TopStock[];
  /** Names whose change moved up or down within TICK_MS. */
  ticks: ReadonlyMap<string, Tick>;
}

export const NO_CHANGES: ListChanges = { entered: new Set(), leaving: [], ticks: new Map() };

/** What of `timeline` is on show at `now`. */
export function listChanges(timeline: ListTimeline | undefined, now: number): ListChanges {
  if (timeline === undefined) return NO_CHANGES;
  const shown = pruned(timeline, now);
  return {
    entered: new Set(shown.entered.keys()),
    leaving: shown.left.map((entry) => entry.stock),
    ticks: new Map([...shown.ticks].map(([symbol, entry]) => [symbol, entry.tick])),
  };
}

/** When each transition of `timeline` stops being shown. */
function* endsOf(timeline: ListTimeline | undefined): Generator<number> {
  if (timeline === undefined) return;
  for (const at of timeline.entered.values()) yield at + NEW_BADGE_MS;
  for (const { at } of timeline.left) yield at + LEAVE_MS;
  for (const { at } of timeline.ticks.values()) yield at + TICK_MS;
}

/**
 * A top list's transitions on show: NEW badges for names that entered, names that left fading
 * out, changes that moved up or down. The list re-renders when one ends, not on a clock tick.
 */
export function useTopListChanges(timeline: ListTimeline | undefined): ListChanges {
  const now = useNowUntil(endsOf(timeline));
  return listChanges(timeline, now);
}
