import { describe, expect, it } from 'vitest';
import type { SectorColor } from './api/types';
import { colourHistoryLine, colourMeaning, historyYears } from './colourHistory';
import { makeColourHistory, makeColourRecord } from './test/fixtures';

const NBSP = '\u00a0';

function squeezeShare(share: number) {
  const interval = { low: null, high: null };
  return { count: Math.round(share * 1000), total: 1000, share, wilson: interval, bootstrap: interval };
}

describe('historyYears', () => {
  it.each([
    ['2016-01-04', '2017-11-09', '2016–17'],
    ['2016-01-04', '2016-11-09', '2016'],
    ['1999-01-04', '2003-11-09', '1999–2003'],
    ['2013-01-02', '2017-12-29', '2013–17'],
  ])('%s to %s → %s', (first, last, years) => {
    expect(historyYears(first, last)).toBe(years);
  });
});

describe('colourHistoryLine', () => {
  it.each<[string, SectorColor, ReturnType<typeof makeColourHistory>, string]>([
    [
      'no edge, a green: the share up',
      'light_green',
      makeColourHistory(),
      `Historically: no edge — next session up 55${NBSP}% after light green (S&P 600 small caps 2016–17)`,
    ],
    [
      'no edge, a red: the share down',
      'dark_red',
      makeColourHistory(),
      `Historically: no edge — next session down 53${NBSP}% after dark red (S&P 600 small caps 2016–17)`,
    ],
    [
      'neutral leans neither way: the share up',
      'blue_neutral',
      makeColourHistory(),
      `Historically: no edge — next session up 52${NBSP}% after blue neutral (S&P 600 small caps 2016–17)`,
    ],
    [
      'an edge',
      'dark_red',
      makeColourHistory({ dark_red: makeColourRecord('dark_red', 0.42, { edge: 'yes' }) }),
      `Historically: next session down 58${NBSP}% of the time after dark red (S&P 600 small caps 2016–17)`,
    ],
    [
      'too few sessions',
      'dark_green',
      makeColourHistory({ dark_green: makeColourRecord('dark_green', 0.6, { edge: 'too_few', sessions: 12 }) }),
      'Historically: too few dark green sessions to tell (12, S&P 600 small caps 2016–17)',
    ],
  ])('%s', (_case, color, history, line) => {
    expect(colourHistoryLine(color, history)).toBe(line);
  });

  type Side = 'above' | 'below' | 'overlaps' | 'too_few';
  const said = `; 7${NBSP}% of short candidates here squeezed ≥${NBSP}10${NBSP}% next day, vs 2${NBSP}% in neutral sectors`;
  it.each<[string, Side, Side | null, string]>([
    ['above neutral in both windows', 'above', 'above', said],
    ['below neutral in both windows', 'below', 'below', said],
    ['above in the held-out window only: nothing said', 'above', 'overlaps', ''],
    ['no development window recorded: nothing said', 'above', null, ''],
    ['overlapping neutral: nothing said', 'overlaps', 'overlaps', ''],
    ['too few to compare: nothing said', 'too_few', 'too_few', ''],
  ])('the squeeze rate, %s', (_case, versus, development, clause) => {
    const squeeze = { squeezed: squeezeShare(0.066), neutral: squeezeShare(0.019), versus_neutral: versus, development };
    const history = makeColourHistory({ dark_red: makeColourRecord('dark_red', 0.466, { squeeze }) });
    expect(colourHistoryLine('dark_red', history)).toBe(
      `Historically: no edge — next session down 53${NBSP}% after dark red${clause} (S&P 600 small caps 2016–17)`,
    );
  });

  it('says nothing for a colour the history does not hold', () => {
    const history = { ...makeColourHistory(), colors: [] };
    expect(colourHistoryLine('light_red', history)).toBeNull();
  });
});

describe('colourMeaning', () => {
  const what = 'Colours describe how each sector moved against IWM over the last 30 minutes, day, 3 days and week';

  it('says what the colours are before any history has loaded', () => {
    expect(colourMeaning(null)).toMatch(new RegExp(`^${what}; they are not a forecast\\.$`));
  });

  it('says they have not predicted the next session when no colour has an edge', () => {
    expect(colourMeaning(makeColourHistory())).toContain(
      'On real history (S&P 600 small caps 2016–17) they have not predicted the next session.',
    );
  });

  it('names the colours whose short candidates squeezed more than in neutral sectors', () => {
    const above = {
      squeezed: squeezeShare(0.07),
      neutral: squeezeShare(0.02),
      versus_neutral: 'above' as const,
      development: 'above' as const,
    };
    const text = colourMeaning(
      makeColourHistory({
        dark_red: makeColourRecord('dark_red', 0.466, { squeeze: above }),
        light_red: makeColourRecord('light_red', 0.51, { squeeze: { ...above, versus_neutral: 'overlaps' } }),
        light_green: makeColourRecord('light_green', 0.547, { squeeze: { ...above, development: 'overlaps' } }),
        dark_green: makeColourRecord('dark_green', 0.554, { squeeze: above }),
      }),
    );
    expect(text).toContain(
      `For shorts they mark volatility, not direction: candidates in dark red and dark green sectors squeezed ≥${NBSP}10${NBSP}% the next day more often than in neutral ones.`,
    );
    expect(colourMeaning(makeColourHistory())).not.toContain('For shorts');
  });

  it.each<[SectorColor[], string]>([
    [['dark_red'], 'only dark red was followed by an edge'],
    [['dark_red', 'light_green', 'dark_green'], 'only dark red, light green and dark green were followed by an edge'],
  ])('names the colours with an edge: %j', (colors, words) => {
    const records = Object.fromEntries(colors.map((color) => [color, makeColourRecord(color, 0.6, { edge: 'yes' })]));
    const text = colourMeaning(makeColourHistory(records));
    expect(text).toContain(words);
    expect(text).not.toContain('have not predicted');
  });
});
