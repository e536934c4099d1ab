import { type ApiError, fetchSectors } from '../api/client';
import type {
  RunProgress,
  SectorChange,
  SectorKey,
  SectorsResponse,
  SignificantMove,
  TopListSide,
  TopStock,
} from '../api/types';
import { poll } from './poll';

/** State of a push connection (the WebSocket source); polling sources never emit it. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Consecutive failed attempts so far (0 while connecting the first time or connected). */
  attempt: number;
}

/** The names that entered and left one top list in a run, as the server's `top_stocks_change` says. */
export interface TopListTransition {
  sector: SectorKey;
  side: TopListSide;
  entered: string[];
  /** The names that left, as they were last drawn (so they can fade out). */
  left: TopStock[];
}

/** One update from a data source: a fresh snapshot, a failure, or (live source only) a side event. */
export type SourceEvent =
  | { kind: 'data'; data: SectorsResponse }
  | { kind: 'error'; error: ApiError }
  | ({ kind: 'connection' } & ConnectionStatus)
  | ({ kind: 'progress' } & RunProgress)
  | { kind: 'move'; move: SignificantMove }
  /** The recent moves a snapshot carries (newest first), replacing those held, with their ages. */
  | { kind: 'moves'; moves: { move: SignificantMove; ageMs: number }[] }
  | { kind: 'change'; as_of: string; sectors: SectorChange[] }
  /** Top-list entries and exits of a run; a grid without one (first load, snapshot) has none. */
  | { kind: 'lists'; changes: TopListTransition[] };

export type SourceListener = (event: SourceEvent) => void;

/**
 * Anything that pushes sector snapshots: an HTTP poller or the WebSocket source (./live).
 * `subscribe` starts delivering events and returns a function that stops it.
 */
export interface SectorsSource {
  subscribe(listener: SourceListener): () => void;
  /** Re-reads the grid now; only the live source can (a poller just waits for its next poll). */
  refresh?(): void;
}

export const POLL_INTERVAL_MS = 30_000;
export const NOT_READY_RETRY_MS = 3_000;

export interface PollingOptions {
  fetcher?: (signal: AbortSignal) => Promise<SectorsResponse>;
  intervalMs?: number;
  notReadyRetryMs?: number;
}

/** Polls `/api/sectors`: every `intervalMs`, or every `notReadyRetryMs` while the backend answers 503. */
export function createPollingSource(options: PollingOptions = {}): SectorsSource {
  const {
    fetcher = fetchSectors,
    intervalMs = POLL_INTERVAL_MS,
    notReadyRetryMs = NOT_READY_RETRY_MS,
  } = options;

  return {
    subscribe: (listener) =>
      poll({
        fetch: fetcher,
        intervalMs,
        retryMs: (error) => (error.notReady ? notReadyRetryMs : intervalMs),
        onData: (data) => listener({ kind: 'data', data }),
        onError: (error) => listener({ kind: 'error', error }),
      }),
  };
}
