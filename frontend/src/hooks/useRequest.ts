import { type DependencyList, useEffect, useRef, useState } from 'react';
import { type ApiError, toApiError } from '../api/client';

/** Where one request stands. `idle`: nothing asked yet. */
export type Load<T> =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ok'; data: T };

const IDLE = { state: 'idle' } as const;
const LOADING = { state: 'loading' } as const;

/**
 * The outcome of `request`, made again whenever `deps` change (null: nothing to request). A request
 * still in flight is aborted when the next starts or the component goes, and an aborted request never
 * updates the state: an old answer cannot overwrite a newer one.
 */
export function useRequest<T>(
  request: ((signal: AbortSignal) => Promise<T>) | null,
  deps: DependencyList,
): Load<T> {
  const [load, setLoad] = useState<Load<T>>(request === null ? IDLE : LOADING);
  // The request of the latest render; `deps` say when it asks for something new.
  const latest = useRef(request);
  latest.current = request;

  useEffect(() => {
    const run = latest.current;
    if (run === null) {
      setLoad(IDLE);
      return undefined;
    }
    const controller = new AbortController();
    setLoad(LOADING);
    run(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setLoad({ state: 'ok', data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ state: 'error', error: toApiError(error) });
      },
    );
    return () => controller.abort();
    // The caller's deps decide when to ask again.
  }, deps);

  return load;
}
