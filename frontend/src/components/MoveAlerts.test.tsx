import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { TimedMove } from '../hooks/useSectors';
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

  it('lists the latest moves with symbol, change, price, sector and age', () => {
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
      '▲ACME+18.2%$11.80Healthcare3 min ago',
      '▼ZZZ-20.4%$3.98energy4 min ago',
    ]);
    expect(items[0]).toHaveClass('is-down', 'is-fresh');
    expect(items[1]).toHaveClass('is-up');
    expect(items[1]).not.toHaveClass('is-fresh');
    expect(screen.getByRole('region', { name: 'Significant moves' })).toBeInTheDocument();
  });

  it(`shows at most ${MOVE_ALERTS_SHOWN}, and opens the sector on click`, () => {
    const opened: string[] = [];
    const now = MOVE_FRESH_MS * 10;
    const moves = Array.from({ length: 8 }, (_, i) => move(`S${i}`, now - i));
    vi.setSystemTime(now);
    render(<MoveAlerts moves={moves} labels={LABELS} onOpenSector={(s) => opened.push(s)} />);
    const items = screen.getAllByTestId('move-alert');
    expect(items).toHaveLength(MOVE_ALERTS_SHOWN);
    fireEvent.click(within(items[0]!).getByRole('button'));
    expect(opened).toEqual(['technology']);
  });
});
