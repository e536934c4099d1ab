import { useEffect, useRef, useState } from 'react';
import { type ApiError, isAbort, toApiError } from '../api/client';
import { fetchScanner, type ScannerQuery } from '../api/scanner';
import type { ScannerPage } from '../api/types';

/** How often (ms) the scanner asks again while it is on screen and no live update came. */
export const SCANNER_REFRESH_MS = 15_000;
/** How long (ms) after a live update the scanner asks: a burst of moves is one request, not one each. */
export const LIVE_SETTLE_MS = 1_000;

export interface ScannerState {
  /** The last page the server gave for the current filters (kept while a refresh fails). */
  page: ScannerPage | null;
  /** Why the latest request failed; cleared by the next good one. */
  error: ApiError | null;
  /** A request for the current filters is in flight. */
  loading: boolean;
}

function visible(): boolean {
  return typeof document === 'undefined' || document.visibilityState !== 'hidden';
}

/**
 * The scanner page for `query`, asked again shortly after `refreshKey` changes (a live update), every
 * SCANNER_REFRESH_MS while the tab is visible, and when the tab is shown again. A changed query drops
 * the old rows (they answer other filters); a refresh keeps them on screen until the new ones come.
 */
export function useScanner(query: ScannerQuery, refreshKey: string): ScannerState {
  const queryKey = JSON.stringify(query);
  const [state, setState] = useState<ScannerState & { key: string }>({
    page: null,
    error: null,
    loading: true,
    key: queryKey,
  });
  const [tick, setTick] = useState(0);
  const seenRefresh = useRef(refreshKey);

  useEffect(() => {
    if (seenRefresh.current === refreshKey) return undefined;
    seenRefresh.current = refreshKey;
    const timer = setTimeout(() => setTick((n) => n + 1), LIVE_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [refreshKey]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (visible()) setTick((n) => n + 1);
    }, SCANNER_REFRESH_MS);
    const onVisibility = () => {
      if (visible()) setTick((n) => n + 1);
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setState((was) =>
      was.key === queryKey ? { ...was, loading: true } : { page: null, error: null, loading: true, key: queryKey },
    );
    fetchScanner(JSON.parse(queryKey) as ScannerQuery, controller.signal).then(
      (page) => {
        if (!controller.signal.aborted) setState({ page, error: null, loading: false, key: queryKey });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        setState((was) => ({ ...was, error: toApiError(error), loading: false }));
      },
    );
    return () => controller.abort();
  }, [queryKey, tick]);

  const { key: _key, ...shown } = state;
  void _key;
  return shown;
}
