import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { SectorKey, SectorsResponse, TopStock } from '../api/types';
import { SectorGrid } from '../components/SectorGrid';
import type { TopListTransition } from '../data/source';
import { fakeClock } from '../test/env';
import { makeResponse } from '../test/fixtures';
import {
  LEAVE_MS,
  NEW_BADGE_MS,
  TICK_MS,
  listChanges,
  recordTicks,
  recordTransitions,
  type TopListTimelines,
} from './useTopListChanges';

function stock(symbol: string, change_pct = 5, relative_volume: number | null = 2): TopStock {
  return { symbol, name: `${symbol} Inc`, change_pct, relative_volume, rank_score: 1 };
}

function withBullish(data: SectorsResponse, sector: SectorKey, stocks: TopStock[]): SectorsResponse {
  return {
    ...data,
    sectors: data.sectors.map((card) => (card.sector === sector ? { ...card, top_bullish: stocks } : card)),
  };
}

function transition(entered: string[], left: TopStock[], sector: SectorKey = 'energy'): TopListTransition {
  return { sector, side: 'bullish', entered, left };
}

function shown(timelines: TopListTimelines, now: number) {
  const changes = listChanges(timelines.energy?.bullish, now);
  return {
    entered: [...changes.entered],
    leaving: changes.leaving.map((s) => s.symbol),
    ticks: [...changes.ticks],
  };
}

describe('top-list transitions over time', () => {
  it.each<[string, number, { entered: string[]; leaving: string[] }]>([
    ['just after the event', 0, { entered: ['C'], leaving: ['B'] }],
    ['leaving ends first', LEAVE_MS, { entered: ['C'], leaving: [] }],
    ['NEW ends last', NEW_BADGE_MS, { entered: [], leaving: [] }],
  ])('an event with one in, one out: %s', (_name, elapsed, expected) => {
    const timelines = recordTransitions({}, [transition(['C'], [stock('B')])], 2_000);
    expect(shown(timelines, 2_000 + elapsed)).toEqual({ ...expected, ticks: [] });
  });

  it.each<[string, TopStock[], TopStock[], number, [string, string][]]>([
    ['change up and down', [stock('A', 5), stock('B', -2)], [stock('A', 6.5), stock('B', -3)], 0, [['A', 'up'], ['B', 'down']]],
    ['an unchanged change does not tick', [stock('A', 4)], [stock('A', 4)], 0, []],
    // Every grid nudges the figures: a ±0.2-point drift is no news and must not flash.
    ['a tiny move does not tick', [stock('A', 0.3), stock('B', -4)], [stock('A', 0.1), stock('B', -4.2)], 0, []],
    ['half a point ticks', [stock('A', 0.3)], [stock('A', 0.8)], 0, [['A', 'up']]],
    ['a name that entered does not tick', [stock('A')], [stock('B', 9)], 0, []],
    ['ticks end', [stock('A', 1)], [stock('A', 2)], TICK_MS, []],
  ])('grids: %s', (_name, before, after, elapsed, ticks) => {
    const base = makeResponse();
    const timelines = recordTicks({}, withBullish(base, 'energy', before), withBullish(base, 'energy', after), 2_000);
    expect(shown(timelines, 2_000 + elapsed)).toEqual({ entered: [], leaving: [], ticks });
  });

  it('a first grid and grids without an event mark nothing NEW', () => {
    const first = withBullish(makeResponse(), 'energy', [stock('A')]);
    expect(recordTicks({}, null, first, 0)).toEqual({});
    const reshuffled = withBullish(makeResponse(), 'energy', [stock('B'), stock('C')]);
    expect(shown(recordTicks({}, first, reshuffled, 100), 100)).toEqual({ entered: [], leaving: [], ticks: [] });
  });

  it('a name that comes back stops leaving, and old transitions are forgotten', () => {
    let timelines = recordTransitions({}, [transition([], [stock('B')])], 100);
    expect(shown(timelines, 200).leaving).toEqual(['B']);
    timelines = recordTransitions(timelines, [transition(['B'], [])], 300);
    expect(shown(timelines, 400)).toEqual({ entered: ['B'], leaving: [], ticks: [] });
    timelines = recordTransitions(timelines, [transition([], [stock('B')])], NEW_BADGE_MS * 3);
    expect(timelines.energy?.bullish?.entered.size).toBe(0);
  });

  it('an update leaves the timelines of the other sectors as they were', () => {
    const before = recordTransitions({}, [transition(['A'], [], 'technology')], 0);
    const after = recordTransitions(before, [transition(['C'], [])], 10);
    expect(after.technology).toBe(before.technology);
    expect(after.energy).not.toBe(before.energy);
  });
});

describe('top lists drawn with their transitions', () => {
  fakeClock();
  const base = makeResponse();
  const sector: SectorKey = 'technology';

  it('badges an entering name until the hold time passes, and fades out the one that left', () => {
    vi.setSystemTime(2_000);
    const grid = withBullish(base, sector, [stock('AAA'), stock('CCC')]);
    const lists = recordTransitions({}, [transition(['CCC'], [stock('BBB')], sector)], 2_000);
    render(<SectorGrid sectors={grid.sectors} lists={lists} />);
    const badges = screen.getAllByTestId('new-badge');
    expect(badges).toHaveLength(1);
    expect(badges[0]?.closest('li')).toHaveTextContent('CCC');
    const leaving = screen.getByTestId('stock-leaving');
    expect(leaving).toHaveTextContent('BBB');
    expect(leaving).toHaveAttribute('aria-hidden', 'true');
    // Each ends on its own: the list re-renders at the end of each, with no clock passed in.
    act(() => vi.advanceTimersByTime(LEAVE_MS));
    expect(screen.queryByTestId('stock-leaving')).toBeNull();
    expect(screen.getAllByTestId('new-badge')).toHaveLength(1);
    act(() => vi.advanceTimersByTime(NEW_BADGE_MS - LEAVE_MS));
    expect(screen.queryAllByTestId('new-badge')).toHaveLength(0);
  });

  it('draws nothing NEW for a grid without an event', () => {
    const grid = withBullish(base, sector, [stock('AAA'), stock('CCC')]);
    render(<SectorGrid sectors={grid.sectors} />);
    expect(screen.queryAllByTestId('new-badge')).toHaveLength(0);
    expect(screen.queryByTestId('stock-leaving')).toBeNull();
  });

  it('highlights a change that moved up, for a while', () => {
    vi.setSystemTime(2_000);
    const first = withBullish(base, sector, [stock('AAA', 5)]);
    const second = withBullish(base, sector, [stock('AAA', 7)]);
    const { container } = render(<SectorGrid sectors={second.sectors} lists={recordTicks({}, first, second, 2_000)} />);
    const line = container.querySelector(`[data-symbol="AAA"][data-tick]`);
    expect(line).toHaveAttribute('data-tick', 'up');
    expect(line).toHaveClass('tick-up');
    act(() => vi.advanceTimersByTime(TICK_MS));
    expect(container.querySelector('[data-tick]')).toBeNull();
  });
});
