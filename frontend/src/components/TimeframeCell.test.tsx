import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { missingTimeframe } from '../test/fixtures';
import { TimeframeCell } from './TimeframeCell';

describe('TimeframeCell', () => {
  it('shows a timeframe without data as "—" with the reason, not a neutral colour', () => {
    render(
      <TimeframeCell
        timeframe="30m"
        stats={missingTimeframe('no price from 30 minutes earlier yet (first run, early pre-market, or day bars only)')}
      />,
    );
    const cell = screen.getByTestId('tf-cell');
    expect(screen.getByTestId('tf-return')).toHaveTextContent('—');
    expect(cell).not.toHaveAttribute('data-color');
    expect(cell).toHaveAttribute('data-missing', 'true');
    expect(cell).toHaveAttribute('title', expect.stringContaining('no price from 30 minutes earlier yet'));
  });

  it('offers the reason on a tap when the card asks, and only for a missing score', () => {
    const onExplain = vi.fn();
    const missing = missingTimeframe('why');
    const { rerender } = render(<TimeframeCell timeframe="30m" stats={missing} onExplain={onExplain} />);
    fireEvent.click(screen.getByRole('button', { name: '30M: no score. Why?' }));
    expect(onExplain).toHaveBeenCalledExactlyOnceWith('30m');
    rerender(<TimeframeCell timeframe="1d" stats={{ ...missing, return_pct: 1, score: 0.2, color: 'light_green', missing_reason: null }} onExplain={onExplain} />);
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('colours a timeframe with a score and gives no reason', () => {
    render(
      <TimeframeCell
        timeframe="1d"
        stats={{
          return_pct: 1.5,
          plain_mean_pct: 1.2,
          adjusted_return_pct: 1.5,
          alpha_pct: 0.3,
          score: 0.4,
          color: 'light_green',
        }}
      />,
    );
    const cell = screen.getByTestId('tf-cell');
    expect(cell).toHaveAttribute('data-color', 'light_green');
    expect(cell).not.toHaveAttribute('title');
  });
});
