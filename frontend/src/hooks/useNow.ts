import { useCallback, useEffect, useReducer, useSyncExternalStore } from 'react';

/**
 * The page's clocks. Only what shows a time reads one, so a tick re-renders that element and not
 * the page around it: `useNow` for an age that keeps counting (one interval per cadence, shared by
 * every reader), `useNowUntil` for a highlight that ends (one timeout, at its end, and no ticks).
 */

interface Ticker {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
}

const tickers = new Map<number, Ticker>();

function tickerOf(intervalMs: number): Ticker {
  let ticker = tickers.get(intervalMs);
  if (ticker === undefined) {
    ticker = { now: Date.now(), listeners: new Set(), timer: null };
    tickers.set(intervalMs, ticker);
  }
  return ticker;
}

function subscribe(intervalMs: number, listener: () => void): () => void {
  const ticker = tickerOf(intervalMs);
  ticker.listeners.add(listener);
  if (ticker.timer === null) {
    ticker.now = Date.now();
    ticker.timer = setInterval(() => {
      ticker.now = Date.now();
      for (const notify of [...ticker.listeners]) notify();
    }, intervalMs);
  }
  return () => {
    ticker.listeners.delete(listener);
    if (ticker.listeners.size > 0) return;
    if (ticker.timer !== null) clearInterval(ticker.timer);
    tickers.delete(intervalMs);
  };
}

/** Current time in ms, refreshed every `intervalMs` so relative ages keep moving. */
export function useNow(intervalMs = 1_000): number {
  // Stable, so a re-render does not subscribe again: when every reader re-rendered in one commit,
  // unsubscribing all of them dropped the ticker, and the new one's later time asked for another
  // render, and so on while the clock moved (React's "maximum update depth exceeded").
  const subscribeTo = useCallback((listener: () => void) => subscribe(intervalMs, listener), [intervalMs]);
  const read = useCallback(() => tickerOf(intervalMs).now, [intervalMs]);
  return useSyncExternalStore(subscribeTo, read);
}

/**
 * Current time in ms, read again when the earliest of `deadlines` (ms since epoch) still ahead
 * passes, so what expires then is redrawn without its component re-rendering in between.
 */
export function useNowUntil(deadlines: Iterable<number>): number {
  const [, wake] = useReducer((count: number) => count + 1, 0);
  // Read at render: the component re-renders for new props or at a deadline, and both want the
  // time of that render.
  const now = Date.now();
  let next = Number.POSITIVE_INFINITY;
  for (const deadline of deadlines) if (deadline > now && deadline < next) next = deadline;
  useEffect(() => {
    if (next === Number.POSITIVE_INFINITY) return undefined;
    const timer = setTimeout(wake, Math.max(0, next - Date.now()));
    return () => clearTimeout(timer);
  }, [next]);
  return now;
}
