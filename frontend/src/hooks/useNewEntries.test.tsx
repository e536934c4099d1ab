import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SectorsResponse } from '../api/types';
import { SectorGrid } from '../components/SectorGrid';
import { makeResponse } from '../test/fixtures';
import { NEW_BADGE_MS, enteredNames, listKey, topLists, useNewEntries } from './useNewEntries';

function withBullish(data: SectorsResponse, sector: string, symbols: string[]): SectorsResponse {
  return {
    ...data,
    sectors: data.sectors.map((card) =>
      card.sector === sector
        ? {
            ...card,
            top_bullish: symbols.map((symbol) => ({
              symbol,
              name: symbol,
              change_pct: 5,
              relative_volume: 2,
              rank_score: 1,
            })),
          }
        : card,
    ),
  };
}

function Grid({ data, now }: { data: SectorsResponse; now: number }) {
  const entries = useNewEntries(data, now);
  return <SectorGrid sectors={data.sectors} newEntries={entries} />;
}

describe('NEW badges for names entering a top list', () => {
  it.each<[string, Record<string, string[]> | null, Record<string, string[]>, Record<string, string[]>]>([
    ['first grid marks nothing', null, { 'a:bullish': ['X'] }, {}],
    ['unchanged list', { 'a:bullish': ['X', 'Y'] }, { 'a:bullish': ['Y', 'X'] }, {}],
    ['one entered, one left', { 'a:bullish': ['X', 'Y'] }, { 'a:bullish': ['X', 'Z'] }, { 'a:bullish': ['Z'] }],
    ['a new list', { 'a:bullish': [] }, { 'a:bullish': [], 'b:bearish': ['Q'] }, { 'b:bearish': ['Q'] }],
  ])('%s', (_name, previous, current, expected) => {
    expect(enteredNames(previous, current)).toEqual(expected);
  });

  it('badges an entering name in its card until the hold time passes', () => {
    const base = makeResponse();
    const sector = base.sectors[0]?.sector ?? 'technology';
    const first = withBullish(base, sector, ['AAA', 'BBB']);
    const second = withBullish(base, sector, ['AAA', 'CCC']);
    expect(topLists(second)[listKey(sector, 'bullish')]).toEqual(['AAA', 'CCC']);

    const { rerender } = render(<Grid data={first} now={1_000} />);
    expect(screen.queryAllByTestId('new-badge')).toHaveLength(0);
    rerender(<Grid data={second} now={2_000} />);
    const badges = screen.getAllByTestId('new-badge');
    expect(badges).toHaveLength(1);
    expect(badges[0]?.closest('li')).toHaveTextContent('CCC');
    rerender(<Grid data={second} now={2_000 + NEW_BADGE_MS} />);
    expect(screen.queryAllByTestId('new-badge')).toHaveLength(0);
  });
});
