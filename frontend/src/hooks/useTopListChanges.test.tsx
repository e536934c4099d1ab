import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SectorsResponse, TopStock } from '../api/types';
import { SectorGrid } from '../components/SectorGrid';
import { makeResponse } from '../test/fixtures';
import {
  LEAVE_MS,
  NEW_BADGE_MS,
  TICK_MS,
  emptyMemory,
  listChanges,
  listKey,
  rememberLists,
  topLists,
  useTopListChanges,
  type TopLists,
} from './useTopListChanges';

function stock(symbol: string, change_pct: number | null = 5, relative_volume: number | null = 2): TopStock {
  return { symbol, name: `${symbol} Inc`, change_pct, relative_volume, rank_score: 1 };
}

function withBullish(data: SectorsResponse, sector: string, stocks: TopStock[]): SectorsResponse {
  return {
    ...data,
    sectors: data.sectors.map((card) => (card.sector === sector ? { ...card, top_bullish: stocks } : card)),
  };
}

function Grid({ data, now }: { data: SectorsResponse; now: number }) {
  const changes = useTopListChanges(data, now);
  return <SectorGrid sectors={data.sectors} listChanges={changes} />;
}

describe('top-list transitions over time', () => {
  const key = 'energy:bullish';
  const lists = (...stocks: TopStock[]): TopLists => ({ [key]: stocks });

  it.each<[string, TopLists, TopLists, number, { entered: string[]; leaving: string[]; ticks: [string, string][] }]>([
    ['nothing changed', lists(stock('A'), stock('B')), lists(stock('A'), stock('B')), 0, { entered: [], leaving: [], ticks: [] }],
    ['one in, one out', lists(stock('A'), stock('B')), lists(stock('A'), stock('C')), 0, { entered: ['C'], leaving: ['B'], ticks: [] }],
    ['change up and down', lists(stock('A', 5), stock('B', -2)), lists(stock('A', 6.5), stock('B', -3)), 0, { entered: [], leaving: [], ticks: [['A', 'up'], ['B', 'down']] }],
    ['unknown change does not tick', lists(stock('A', null)), lists(stock('A', 4)), 0, { entered: [], leaving: [], ticks: [] }],
    ['leaving ends first', lists(stock('A', 1)), lists(stock('B')), LEAVE_MS, { entered: ['B'], leaving: [], ticks: [] }],
    ['ticks end next', lists(stock('A', 1), stock('B')), lists(stock('A', 2), stock('C')), TICK_MS, { entered: ['C'], leaving: [], ticks: [] }],
    ['NEW ends last', lists(stock('A')), lists(stock('B')), NEW_BADGE_MS, { entered: [], leaving: [], ticks: [] }],
  ])('%s', (_name, before, after, elapsed, expected) => {
    const memory = emptyMemory();
    rememberLists(memory, before, 1_000);
    rememberLists(memory, after, 2_000);
    const shown = listChanges(memory, 2_000 + elapsed)[key];
    expect([...(shown?.entered ?? [])]).toEqual(expected.entered);
    expect((shown?.leaving ?? []).map((s) => s.symbol)).toEqual(expected.leaving);
    expect([...(shown?.ticks ?? new Map())]).toEqual(expected.ticks);
  });

  it('a name that comes back stops leaving, and old transitions are forgotten', () => {
    const memory = emptyMemory();
    rememberLists(memory, lists(stock('A'), stock('B')), 0);
    rememberLists(memory, lists(stock('A')), 100);
    expect(listChanges(memory, 200)[key]?.leaving.map((s) => s.symbol)).toEqual(['B']);
    rememberLists(memory, lists(stock('A'), stock('B')), 300);
    expect(listChanges(memory, 400)[key]?.leaving).toEqual([]);
    rememberLists(memory, lists(stock('A')), NEW_BADGE_MS * 3);
    expect(memory.enteredAt.size).toBe(0);
  });
});

describe('top lists drawn with their transitions', () => {
  const base = makeResponse();
  const sector = base.sectors[0]?.sector ?? 'technology';

  it('badges an entering name until the hold time passes, and fades out the one that left', () => {
    const first = withBullish(base, sector, [stock('AAA'), stock('BBB')]);
    const second = withBullish(base, sector, [stock('AAA'), stock('CCC')]);
    expect(topLists(second)[listKey(sector, 'bullish')]?.map((s) => s.symbol)).toEqual(['AAA', 'CCC']);

    const { rerender } = render(<Grid data={first} now={1_000} />);
    expect(screen.queryAllByTestId('new-badge')).toHaveLength(0);
    rerender(<Grid data={second} now={2_000} />);
    const badges = screen.getAllByTestId('new-badge');
    expect(badges).toHaveLength(1);
    expect(badges[0]?.closest('li')).toHaveTextContent('CCC');
    const leaving = screen.getByTestId('stock-leaving');
    expect(leaving).toHaveTextContent('BBB');
    expect(leaving).toHaveAttribute('aria-hidden', 'true');
    rerender(<Grid data={second} now={2_000 + LEAVE_MS} />);
    expect(screen.queryByTestId('stock-leaving')).toBeNull();
    rerender(<Grid data={second} now={2_000 + NEW_BADGE_MS} />);
    expect(screen.queryAllByTestId('new-badge')).toHaveLength(0);
  });

  it('highlights a change that moved up', () => {
    const first = withBullish(base, sector, [stock('AAA', 5)]);
    const second = withBullish(base, sector, [stock('AAA', 7)]);
    const { rerender, container } = render(<Grid data={first} now={1_000} />);
    expect(container.querySelector('[data-tick]')).toBeNull();
    rerender(<Grid data={second} now={2_000} />);
    const line = container.querySelector(`[data-symbol="AAA"][data-tick]`);
    expect(line).toHaveAttribute('data-tick', 'up');
    expect(line).toHaveClass('tick-up');
  });
});
