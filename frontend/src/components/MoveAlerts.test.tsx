import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { TimedMove } from '../hooks/useSectors';
import { ALERT_SETTINGS_KEY, getAlertSettings, reloadAlertSettings, updateAlertSettings } from '../alerts/settings';
import { OpenStockProvider } from '../stock/open';
import { fakeClock } from '../test/env';
import { MOVE_ALERTS_SHOWN, MOVE_ALERT_MS, MOVE_FRESH_MS, MoveAlerts } from './MoveAlerts';

function move(symbol: string, at: number, overrides: Partial<TimedMove> = {}): TimedMove {
  return {
    symbol,
    change_pct: -20.4,
    previous_close: 5,
    price: 3.98,
    direction: 'down',
    sector: 'technology',
    at,
    ...overrides,
  };
}

const LABELS = { technology: 'Technology', healthcare: 'Healthcare' } as const;

describe('MoveAlerts', () => {
  fakeClock();

  it('draws nothing without recent moves', () => {
    vi.setSystemTime(MOVE_ALERT_MS);
    const { container } = render(<MoveAlerts moves={[move('OLD', 0)]} labels={LABELS} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('lists the moves, largest first, with symbol, change, price, sector and age', () => {
    const now = 10 * 60_000;
    vi.setSystemTime(now);
    render(
      <MoveAlerts
        moves={[
          move('SOUN', now - 1_000),
          move('ACME', now - 3 * 60_000, { change_pct: 18.2, price: 11.8, direction: 'up', sector: 'healthcare' }),
          move('ZZZ', now - 4 * 60_000, { sector: 'energy' }),
        ]}
        labels={LABELS}
      />,
    );
    const items = screen.getAllByTestId('move-alert');
    expect(items.map((item) => item.textContent)).toEqual([
      '▼SOUN-20.4%$3.98Technologyjust now',
      '▼ZZZ-20.4%$3.98energy4 min ago',
      '▲ACME+18.2%$11.80Healthcare3 min ago',
    ]);
    expect(items[0]).toHaveClass('is-down', 'is-fresh');
    expect(items[2]).toHaveClass('is-up');
    expect(items[2]).not.toHaveClass('is-fresh');
    expect(screen.getByRole('region', { name: 'Significant moves' })).toBeInTheDocument();
  });

  it('lists the largest moves first (of 22, newest smallest), and all of them on "+N more"', () => {
    const now = MOVE_FRESH_MS * 10;
    vi.setSystemTime(now);
    // As the server publishes a burst: largest first, so the smallest arrive last (newest).
    const sizes = Array.from({ length: 22 }, (_, i) => 38 - i);
    const moves = sizes
      .map((size, i) =>
        move(`S${size}`, now - 1_000 + i, { change_pct: i % 2 ? -size : size, direction: i % 2 ? 'down' : 'up' }),
      )
      .reverse();
    render(<MoveAlerts moves={moves} labels={LABELS} />);
    const symbols = () => screen.getAllByTestId('move-alert').map((item) => item.dataset.symbol);
    expect(symbols()).toEqual(['S38', 'S37', 'S36', 'S35', 'S34']);
    fireEvent.click(screen.getByRole('button', { name: '+17 more' }));
    expect(symbols()).toEqual(sizes.map((size) => `S${size}`));
    fireEvent.click(screen.getByRole('button', { name: 'Show fewer' }));
    expect(symbols()).toHaveLength(MOVE_ALERTS_SHOWN);
  });

  it(`shows at most ${MOVE_ALERTS_SHOWN}; a click on the move opens the stock, on its sector the sector`, () => {
    const opened: string[] = [];
    const openStock = vi.fn();
    const now = MOVE_FRESH_MS * 10;
    const moves = Array.from({ length: 8 }, (_, i) => move(`S${i}`, now - i));
    vi.setSystemTime(now);
    render(
      <OpenStockProvider value={openStock}>
        <MoveAlerts moves={moves} labels={LABELS} onOpenSector={(s) => opened.push(s)} />
      </OpenStockProvider>,
    );
    const items = screen.getAllByTestId('move-alert');
    expect(items).toHaveLength(MOVE_ALERTS_SHOWN);
    fireEvent.click(within(items[0]!).getByRole('button', { name: 'S0 -20.4% at $3.98' }));
    expect(openStock).toHaveBeenCalledExactlyOnceWith('S0');
    expect(opened).toEqual([]);
    fireEvent.click(within(items[0]!).getByRole('button', { name: 'Technology' }));
    expect(opened).toEqual(['technology']);
  });

  it('mutes and unmutes the moves’ alerts from the strip, while alerts are on', () => {
    const now = MOVE_FRESH_MS * 10;
    vi.setSystemTime(now);
    localStorage.removeItem(ALERT_SETTINGS_KEY);
    reloadAlertSettings();
    const { rerender } = render(<MoveAlerts moves={[move('SOUN', now)]} labels={LABELS} />);
    expect(screen.queryByTestId('move-mute')).toBeNull();
    act(() => updateAlertSettings((s) => ({ ...s, sound: true })));
    rerender(<MoveAlerts moves={[move('SOUN', now)]} labels={LABELS} />);
    const mute = screen.getByTestId('move-mute');
    expect(mute).toHaveTextContent('Mute moves');
    fireEvent.click(mute);
    expect(mute).toHaveAttribute('aria-pressed', 'true');
    expect(mute).toHaveTextContent('Moves muted');
    expect(getAlertSettings().mutedMoves).toBe(true);
    fireEvent.click(mute);
    expect(getAlertSettings().mutedMoves).toBe(false);
    localStorage.removeItem(ALERT_SETTINGS_KEY);
    reloadAlertSettings();
  });
});
