import { useEffect, useReducer, useState } from 'react';
import type { ApiError } from '../api/client';
import type { SectorsResponse } from '../api/types';
import { createPollingSource, type SectorsSource, type SourceEvent } from '../data/source';

export interface SectorsState {
  /** Last good snapshot, kept while later requests fail. */
  data: SectorsResponse | null;
  /** Failure of the most recent request, cleared by the next good one. */
  error: ApiError | null;
  /** True until the source has delivered its first event. */
  loading: boolean;
}

const INITIAL: SectorsState = { data: null, error: null, loading: true };

function reduce(state: SectorsState, event: SourceEvent): SectorsState {
  switch (event.kind) {
    case 'data':
      return { data: event.data, error: null, loading: false };
    case 'error':
      return { ...state, error: event.error, loading: false };
  }
}

/** Sector snapshots from `source` (default: polling `/api/sectors`). */
export function useSectors(source?: SectorsSource): SectorsState {
  const [defaultSource] = useState(createPollingSource);
  const active = source ?? defaultSource;
  const [state, dispatch] = useReducer(reduce, INITIAL);

  useEffect(() => active.subscribe(dispatch), [active]);

  return state;
}
