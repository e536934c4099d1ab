import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { SectorColor } from '../api/types';
import { fakeClock } from '../test/env';
import { SIGNAL_FOR_COLOR, makeColourHistory, makeColourRecord, makeSector, missingTimeframe } from '../test/fixtures';
import { OpenStockProvider } from '../stock/open';
import { CHANGE_HIGHLIGHT_MS, SectorCard } from './SectorCard';

function renderCard(...args: Parameters<typeof makeSector>) {
  render(<SectorCard sector={makeSector(...args)} />);
  return screen.getByTestId('sector-card');
}

describe('SectorCard', () => {
  it.each<[SectorColor, string, string, string]>([
    ['dark_red', 'dark-red', 'Prime shorting', '▼'],
    ['light_red', 'light-red', 'Good shorting', '▼'],
    ['blue_neutral', 'blue-neutral', 'Neutral / cautious', '◆'],
    ['light_green', 'light-green', 'Avoid shorts', '▲'],
    ['dark_green', 'dark-green', 'Do not short', '▲'],
  ])('%s → class %s, "%s" with %s', (color, cssClass, words, arrow) => {
    const card = renderCard('energy', { color, signal: SIGNAL_FOR_COLOR[color] });
    expect(card).toHaveClass('sector-card', cssClass);
    expect(card).toHaveAttribute('data-color', color);
    expect(card).toHaveAttribute('data-sector', 'energy');
    expect(within(card).getByTestId('sector-signal')).toHaveTextContent(words);
    expect(within(card).getByTestId('sector-arrow')).toHaveTextContent(arrow);
  });

  it('shows the rotation quadrants in words with their marks, and names them to assistive technology', () => {
    const card = renderCard('energy', { rotation: { day: 'leading', intraday: 'lagging' } });
    const badge = within(card).getByTestId('rotation-badge');
    expect(badge).toHaveTextContent('RRG↗ Leading30m ↙ Lagging');
    expect(badge).toHaveAttribute('data-day', 'leading');
    expect(badge).toHaveAttribute('data-intraday', 'lagging');
    expect(badge).toHaveAttribute('title', 'Rotation against IWM: daily leading, 30-minute lagging');
    expect(card).toHaveAccessibleName('Energy: Do not short; rotation daily leading, 30-minute lagging');
  });

  it.each([
    [undefined, null],
    [{ day: null, intraday: null }, null],
    [{ day: null, intraday: 'improving' as const }, 'RRG30m ↖ Improving'],
  ])('a card with rotation %o shows %s', (rotation, text) => {
    const card = renderCard('energy', { rotation });
    const badge = within(card).queryByTestId('rotation-badge');
    if (text === null) expect(badge).toBeNull();
    else expect(badge).toHaveTextContent(text);
  });

  it.each([
    [undefined, null, null],
    [{ level: null, volatility_ratio: null, squeezed_pct: null, normal_squeezed_pct: null }, null, null],
    [
      { level: 'normal' as const, volatility_ratio: 1.02, squeezed_pct: null, normal_squeezed_pct: null },
      'Squeeze risk normal',
      'Squeeze risk normal (members 1.02× as volatile as the universe)',
    ],
    [
      { level: 'high' as const, volatility_ratio: 1.43, squeezed_pct: 6.4, normal_squeezed_pct: 2.1 },
      'Squeeze risk high6.4 % squeezed vs 2.1 %',
      'Squeeze risk high (members 1.43× as volatile as the universe). Historically: 6.4 % of short candidates here squeezed ≥ 10 % next day, vs 2.1 % at normal risk',
    ],
  ])('a card with squeeze risk %o shows %s', (squeeze_risk, text, title) => {
    const card = renderCard('energy', { squeeze_risk });
    const badge = within(card).queryByTestId('squeeze-risk');
    if (text === null) {
      expect(badge).toBeNull();
      return;
    }
    expect(badge).toHaveTextContent(text);
    expect(badge).toHaveAttribute('title', title);
    expect(badge).toHaveAttribute('data-level', squeeze_risk?.level);
  });

  it('says "Insufficient data" instead of the colour words for a sector with too few members', () => {
    const card = renderCard('utilities', {
      score: 0,
      color: 'blue_neutral',
      signal: 'NEUTRAL_CAUTIOUS',
      confidence: 0,
      stock_count: 3,
      insufficient_data: true,
      insufficient_reason: '3 members, at least 5 needed for a colour',
    });
    const signal = within(card).getByTestId('sector-signal');
    expect(signal).toHaveTextContent('Insufficient data (3 members)');
    expect(signal).not.toHaveTextContent('Neutral');
    expect(signal).toHaveAttribute('title', '3 members, at least 5 needed for a colour');
    expect(card).toHaveAttribute('data-insufficient', 'true');
    expect(card).toHaveAccessibleName('Utilities: Insufficient data (3 members)');
  });

  it('shows label, signed score, confidence and stock count', () => {
    const card = renderCard('technology');
    expect(within(card).getByRole('heading', { name: 'TECHNOLOGY' })).toBeInTheDocument();
    expect(within(card).getByTestId('sector-score')).toHaveTextContent('+0.62');
    expect(within(card).getByTestId('sector-confidence')).toHaveTextContent('71%');
    expect(within(card).getByTestId('sector-count')).toHaveTextContent('212 stocks');
  });

  it('signs a negative score', () => {
    const card = renderCard('utilities', { score: -0.4 });
    expect(within(card).getByTestId('sector-score')).toHaveTextContent('-0.40');
  });

  it('shows the four timeframe cells in order with colour chips and 1D alpha', () => {
    renderCard();
    const cells = screen.getAllByTestId('tf-cell');
    expect(cells.map((cell) => cell.dataset.timeframe)).toEqual(['30m', '1d', '3d', '1w']);
    expect(cells.map((cell) => within(cell).getByTestId('tf-return').textContent)).toEqual([
      '+0.4%',
      '+3.6%',
      '-1.3%',
      '0.0%',
    ]);
    expect(cells[0]).toHaveTextContent('30M');
    expect(cells[3]).toHaveTextContent('1W');
    expect(within(cells[2]!).getByRole('img', { name: 'light red' })).toHaveClass('chip', 'light-red');
    // Each cell is filled with its own timeframe's color, not the card's.
    expect(cells.map((cell) => cell.className)).toEqual([
      'tf-cell light-green',
      'tf-cell dark-green',
      'tf-cell light-red',
      'tf-cell blue-neutral',
    ]);
    expect(screen.getAllByTestId('tf-alpha')).toHaveLength(1);
    expect(within(cells[1]!).getByTestId('tf-alpha')).toHaveTextContent('α adj +3.5% vs IWM');
  });

  it('draws a timeframe the card has no result for as missing, without colour', () => {
    const timeframes = { ...makeSector().timeframes };
    delete timeframes['3d'];
    renderCard('technology', { timeframes });
    const cell = screen.getAllByTestId('tf-cell')[2]!;
    expect(cell).toHaveAttribute('data-timeframe', '3d');
    expect(cell.className).toBe('tf-cell');
    expect(cell).not.toHaveAttribute('data-color');
    expect(within(cell).queryByRole('img')).toBeNull();
    expect(within(cell).getByTestId('tf-return')).toHaveTextContent('—');
  });

  it('says why a timeframe has no score on a tap of its "—" (a phone has no hover), without opening the card', () => {
    const reason = 'no price from 30 minutes earlier yet (first run, early pre-market, or day bars only)';
    const onOpen = vi.fn();
    const sector = makeSector('technology', {
      timeframes: {
        ...makeSector().timeframes,
        '30m': missingTimeframe(reason),
      },
    });
    render(<SectorCard sector={sector} onOpen={onOpen} />);
    const why = screen.getByRole('button', { name: '30M: no score. Why?' });
    expect(why).toHaveTextContent('—');
    expect(why).toHaveAttribute('tabindex', '-1');
    fireEvent.click(why);
    expect(screen.getByTestId('tf-reason')).toHaveTextContent(`30M: no score — ${reason}.`);
    expect(why).toHaveAttribute('aria-expanded', 'true');
    expect(onOpen).not.toHaveBeenCalled();
    fireEvent.click(why);
    expect(screen.queryByTestId('tf-reason')).toBeNull();
  });

  it('keeps its controls out of the Tab order and walks them with the arrow keys, Escape going back', () => {
    render(
      <OpenStockProvider value={vi.fn()}>
        <SectorCard sector={makeSector()} onOpen={vi.fn()} />
      </OpenStockProvider>,
    );
    const card = screen.getByTestId('sector-card');
    const inside = within(card).getAllByRole('button').filter((button) => button !== card);
    // The two top-list stocks, each with its pin.
    expect(inside.map((button) => button.getAttribute('aria-label') ?? button.textContent)).toEqual([
      'SOUN',
      'Pin SOUN to the watchlist',
      'BBAI',
      'Pin BBAI to the watchlist',
    ]);
    expect(inside.every((button) => button.getAttribute('tabindex') === '-1')).toBe(true);
    card.focus();
    fireEvent.keyDown(card, { key: 'ArrowDown' });
    expect(inside[0]).toHaveFocus();
    fireEvent.keyDown(inside[0]!, { key: 'ArrowRight' });
    expect(inside[1]).toHaveFocus();
    fireEvent.keyDown(inside[1]!, { key: 'ArrowUp' });
    fireEvent.keyDown(inside[0]!, { key: 'ArrowUp' });
    expect(inside[3]).toHaveFocus();
    fireEvent.keyDown(inside[3]!, { key: 'Escape' });
    expect(card).toHaveFocus();
  });

  it('lists top bullish stocks and shows the note for an empty bearish list', () => {
    renderCard();
    const bullish = screen.getByTestId('top-bullish');
    expect(within(bullish).getByText('TOP BULLISH')).toBeInTheDocument();
    const items = within(bullish).getAllByTestId('stock-item');
    expect(items[0]).toHaveTextContent(/^#1 SOUN☆ ▲\+8\.2% \(2\.1x vol\)$/);
    expect(items[1]).toHaveTextContent(/^#2 BBAI☆ ▲\+5\.0%$/);
    expect(within(bullish).queryByTestId('list-note')).not.toBeInTheDocument();

    const bearish = screen.getByTestId('top-bearish');
    expect(within(bearish).getByText('TOP BEARISH')).toBeInTheDocument();
    expect(within(bearish).queryAllByTestId('stock-item')).toHaveLength(0);
    expect(within(bearish).getByTestId('list-note')).toHaveTextContent(
      'None in bullish sector — avoid shorts',
    );
  });
});

describe('SectorCard top-list lines', () => {
  it.each<[number, string, string]>([
    [8.2, 'up', '▲+8.2%'],
    [-4.1, 'down', '▼-4.1%'],
    [0, 'flat', '0.0%'],
  ])('a change of %s is marked %s with an arrow', (change, direction, text) => {
    const stock = { symbol: 'SOUN', name: 'SoundHound AI', change_pct: change, relative_volume: 1, rank_score: 1 };
    renderCard('technology', { top_bullish: [stock] });
    const cell = screen.getByTestId('stock-change');
    expect(cell).toHaveAttribute('data-direction', direction);
    expect(cell).toHaveClass(`is-${direction}`);
    expect(cell).toHaveTextContent(text);
  });

  it.each<[number | null, boolean]>([
    [3.2, true],
    [2.5, true],
    [2.49, false],
    [null, false],
  ])('relative volume %s is a spike: %s', (volume, spike) => {
    const stock = { symbol: 'BBAI', name: 'BigBear.ai', change_pct: -6.1, relative_volume: volume, rank_score: 1 };
    renderCard('technology', { top_bullish: [stock] });
    const marked = screen.queryByTestId('volume-spike');
    expect(marked !== null).toBe(spike);
    if (marked) {
      expect(marked.tagName).toBe('STRONG');
      expect(marked).toHaveTextContent('(3.2x vol) volume spike'.replace('3.2', (volume ?? 0).toFixed(1)));
    }
  });
});

describe('SectorCard timestamps', () => {
  it('shows the analysis time, and when the sector last changed', () => {
    const { rerender } = render(<SectorCard sector={makeSector('energy')} asOf="2026-11-24T11:45:00+00:00" />);
    expect(screen.getByTestId('card-updated')).toHaveTextContent('As of 06:45 ET');
    expect(screen.queryByTestId('card-changed-at')).toBeNull();
    rerender(
      <SectorCard
        sector={makeSector('energy')}
        asOf="2026-11-24T11:45:00+00:00"
        changedAsOf="2026-11-24T11:31:00+00:00"
      />,
    );
    expect(screen.getByTestId('card-updated')).toHaveTextContent('As of 06:45 ET · changed 06:31 ET');
    expect(screen.getByTestId('card-changed-at').querySelector('time')).toHaveAttribute(
      'datetime',
      '2026-11-24T11:31:00+00:00',
    );
  });

  it('has no timestamp line without an analysis time', () => {
    renderCard('energy');
    expect(screen.queryByTestId('card-updated')).toBeNull();
  });
});

describe('SectorCard live behaviour', () => {
  it('opens on click and on Enter', () => {
    const opened: string[] = [];
    render(<SectorCard sector={makeSector('energy')} onOpen={(s) => opened.push(s.sector)} />);
    const card = screen.getByTestId('sector-card');
    fireEvent.click(card);
    fireEvent.keyDown(card, { key: 'Enter' });
    fireEvent.keyDown(card, { key: 'a' });
    expect(opened).toEqual(['energy', 'energy']);
    expect(card).toHaveAttribute('role', 'button');
    expect(card).toHaveAttribute('tabindex', '0');
  });
});

describe('SectorCard after a live change', () => {
  fakeClock();
  const change = {
    sector: 'energy' as const,
    previous_color: 'light_red' as const,
    color: 'dark_green' as const,
    previous_score: -0.2,
    score: 0.7,
    at: 10_000,
  };
  const card = <SectorCard sector={makeSector('energy', { color: 'dark_green' })} change={change} />;

  it.each([
    [1_000, true],
    [CHANGE_HIGHLIGHT_MS + 1, false],
  ])('a change %i ms old is highlighted: %s, with the previous color while it is', (age, highlighted) => {
    vi.setSystemTime(10_000 + age);
    render(card);
    expect(screen.getByTestId('sector-card').classList.contains('is-changed')).toBe(highlighted);
    if (highlighted) {
      expect(screen.getByTestId('previous-color')).toHaveTextContent('was light red');
      // The previous gradient is laid over the new one to fade out.
      expect(screen.getByTestId('card-fade')).toHaveClass('card-fade', 'light-red');
    } else {
      expect(screen.queryByTestId('previous-color')).toBeNull();
      expect(screen.queryByTestId('card-fade')).toBeNull();
    }
  });

  it('ends the highlight by itself when its time is up', () => {
    vi.setSystemTime(10_000);
    render(card);
    expect(screen.getByTestId('sector-card')).toHaveClass('is-changed');
    act(() => vi.advanceTimersByTime(CHANGE_HIGHLIGHT_MS - 1));
    expect(screen.getByTestId('sector-card')).toHaveClass('is-changed');
    act(() => vi.advanceTimersByTime(1));
    expect(screen.getByTestId('sector-card')).not.toHaveClass('is-changed');
  });
});

describe('SectorCard colour history', () => {
  const history = makeColourHistory({ dark_red: makeColourRecord('dark_red', 0.42, { edge: 'yes' }) });

  function historyOf(color: SectorColor, overrides = {}) {
    render(
      <SectorCard sector={makeSector('energy', { color, signal: SIGNAL_FOR_COLOR[color], ...overrides })} history={history} />,
    );
    return within(screen.getByTestId('sector-card')).queryByTestId('card-history');
  }

  it('says there is no edge where the history found none, with the share of its colour', () => {
    const line = historyOf('light_green');
    expect(line).toHaveTextContent('Historically: no edge — next session up 55 % after light green (S&P 600 small caps 2016–17)');
    // Text in the card, so read with it (the card's name stays its sector and signal).
    expect(line?.tagName).toBe('P');
  });

  it('says how often the next session went its way where the history found an edge', () => {
    expect(historyOf('dark_red')).toHaveTextContent(
      'Historically: next session down 58 % of the time after dark red (S&P 600 small caps 2016–17)',
    );
  });

  it('shows no line for a sector without a colour, or before the history has loaded', () => {
    expect(historyOf('blue_neutral', { insufficient_data: true, stock_count: 3 })).toBeNull();
    cleanup();
    render(<SectorCard sector={makeSector('energy')} />);
    expect(screen.queryByTestId('card-history')).toBeNull();
  });
});
