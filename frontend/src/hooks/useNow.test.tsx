import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeClock } from '../test/env';
import { useNow, useNowUntil } from './useNow';

function Clock({ id }: { id: string }) {
  return <span data-testid={id}>{useNow(1_000)}</span>;
}

function Until({ deadlines }: { deadlines: number[] }) {
  return <span data-testid="until">{useNowUntil(deadlines)}</span>;
}

describe('the page clocks', () => {
  fakeClock();

  it('keeps its subscription across re-renders (a page re-rendering never restarts the clock)', () => {
    vi.setSystemTime(10_000);
    const started = vi.spyOn(globalThis, 'setInterval');
    const { rerender } = render(
      <>
        <Clock id="a" />
        <Clock id="b" />
      </>,
    );
    for (const id of ['c', 'd', 'e']) {
      vi.setSystemTime(Date.now() + 7);
      rerender(
        <>
          <Clock id="a" />
          <Clock id={id} />
        </>,
      );
    }
    expect(started).toHaveBeenCalledOnce();
    expect(screen.getByTestId('a')).toHaveTextContent('10000');
    started.mockRestore();
  });

  it('every reader of a cadence shares one interval, stopped with the last reader', () => {
    vi.setSystemTime(10_000);
    const { rerender, unmount } = render(
      <>
        <Clock id="a" />
        <Clock id="b" />
      </>,
    );
    expect(vi.getTimerCount()).toBe(1);
    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByTestId('a')).toHaveTextContent('11000');
    expect(screen.getByTestId('b')).toHaveTextContent('11000');
    rerender(<Clock id="a" />);
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('useNowUntil wakes at the next deadline ahead only, and keeps no timer without one', () => {
    vi.setSystemTime(10_000);
    const { rerender } = render(<Until deadlines={[5_000, 12_000, 15_000]} />);
    expect(vi.getTimerCount()).toBe(1);
    act(() => vi.advanceTimersByTime(1_999));
    expect(screen.getByTestId('until')).toHaveTextContent('10000');
    act(() => vi.advanceTimersByTime(1));
    expect(screen.getByTestId('until')).toHaveTextContent('12000');
    act(() => vi.advanceTimersByTime(3_000));
    expect(screen.getByTestId('until')).toHaveTextContent('15000');
    expect(vi.getTimerCount()).toBe(0);
    rerender(<Until deadlines={[]} />);
    expect(vi.getTimerCount()).toBe(0);
  });
});
