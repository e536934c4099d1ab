import { useEffect, useState } from 'react';
import { type ApiError, isAbort, toApiError } from '../api/client';
import { fetchRotation, type RotationQuery } from '../api/rotation';
import type { RotationGraph } from '../api/types';

export interface RotationState {
  /** The last graph the server gave (kept on screen while the next one loads or fails). */
  graph: RotationGraph | null;
  error: ApiError | null;
  loading: boolean;
}

/** The graph for `query`, asked again whenever `refreshKey` changes (a new run was published). */
export function useRotation(query: RotationQuery, refreshKey: string): RotationState {
  const { interval, tail, runId } = query;
  const [state, setState] = useState<RotationState>({ graph: null, error: null, loading: true });

  useEffect(() => {
    const controller = new AbortController();
    setState((was) => ({ ...was, loading: true }));
    fetchRotation({ interval, tail, runId }, controller.signal).then(
      (graph) => {
        if (!controller.signal.aborted) setState({ graph, error: null, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        setState((was) => ({ ...was, error: toApiError(error), loading: false }));
      },
    );
    return () => controller.abort();
  }, [interval, tail, runId, refreshKey]);

  return state;
}
