import { useEffect, useReducer } from 'react';
import type { ApiError } from '../api/client';
import type { RunProgress, SectorChange, SectorKey, SectorsResponse, SignificantMove } from '../api/types';
import type { ConnectionStatus, SectorsSource, SourceEvent } from '../data/source';
import { recordTicks, recordTransitions, type TopListTimelines } from './useTopListChanges';

/** A sector change with the time (ms since epoch) it was received. */
export interface TimedSectorChange extends SectorChange {
  at: number;
}

/** A significant move with the time (ms since epoch) it was received. */
export interface TimedMove extends SignificantMove {
  at: number;
}

/** As many as a snapshot carries (live/hub.py RECENT_MOVES): a sharp open flags dozens at once. */
export const MAX_MOVES = 100;

export interface SectorsState {
  /** Last good snapshot, kept while later requests fail. */
  data: SectorsResponse | null;
  /** Failure of the most recent request, cleared by the next good one. */
  error: ApiError | null;
  /** True until the source has delivered its first data or error event. */
  loading: boolean;
  /** Push-connection state; stays 'connecting'/0 for sources that never report it (polling). */
  connection: ConnectionStatus;
  /** Latest analysis_progress, or null. */
  progress: RunProgress | null;
  /** Sectors changed by the latest sector_update, keyed by sector (replaced on each update). */
  changes: Partial<Record<SectorKey, TimedSectorChange>>;
  /** Analysis time (ISO) of the run that last changed each sector, since the page opened. */
  changedAsOf: Partial<Record<SectorKey, string>>;
  /** Last significant moves, newest first, at most MAX_MOVES (the strip orders them by size). */
  moves: TimedMove[];
  /** When names entered and left each top list (from the server's events) and their changes moved. */
  lists: TopListTimelines;
}

export const INITIAL_SECTORS_STATE: SectorsState = {
  data: null,
  error: null,
  loading: true,
  connection: { state: 'connecting', attempt: 0 },
  progress: null,
  changes: {},
  changedAsOf: {},
  moves: [],
  lists: {},
};

interface Action {
  event: SourceEvent;
  at: number;
}

export function reduceSectors(state: SectorsState, { event, at }: Action): SectorsState {
  switch (event.kind) {
    case 'data':
      return {
        ...state,
        data: event.data,
        error: null,
        loading: false,
        lists: recordTicks(state.lists, state.data, event.data, at),
      };
    case 'lists':
      return { ...state, lists: recordTransitions(state.lists, event.changes, at) };
    case 'error':
      return { ...state, error: event.error, loading: false };
    case 'connection':
      return { ...state, connection: { state: event.state, attempt: event.attempt } };
    case 'progress': {
      const { kind: _kind, ...progress } = event;
      void _kind;
      return { ...state, progress };
    }
    case 'move':
      return { ...state, moves: [{ ...event.move, at }, ...state.moves].slice(0, MAX_MOVES) };
    case 'moves':
      return {
        ...state,
        moves: event.moves.map(({ move, ageMs }) => ({ ...move, at: at - ageMs })).slice(0, MAX_MOVES),
      };
    case 'change': {
      const changes: Partial<Record<SectorKey, TimedSectorChange>> = {};
      const changedAsOf = { ...state.changedAsOf };
      for (const change of event.sectors) {
        changes[change.sector] = { ...change, at };
        changedAsOf[change.sector] = event.as_of;
      }
      return { ...state, changes, changedAsOf };
    }
  }
}

/** Sector data from `source`. */
export function useSectors(source: SectorsSource): SectorsState {
  const [state, dispatch] = useReducer(reduceSectors, INITIAL_SECTORS_STATE);

  useEffect(() => source.subscribe((event) => dispatch({ event, at: Date.now() })), [source]);

  return state;
}
