import { ApiError, fetchSectors, toApiError } from '../api/client';
import type { SectorColor, SectorKey, SectorsResponse } from '../api/types';

/** State of a push connection (the WebSocket source); polling sources never emit it. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Consecutive failed attempts so far (0 while connecting the first time or connected). */
  attempt: number;
}

/** `analysis_progress` of the backend; `stage` ends with "done" or "failed". */
export interface AnalysisProgress {
  run_id: string;
  stage: string;
  percent: number;
  error?: string;
}

/** `significant_move` payload of the backend. */
export interface SignificantMove {
  symbol: string;
  change_pct: number;
  previous_close: number;
  price: number;
  direction: 'up' | 'down';
  sector: SectorKey | null;
}

/** One sector whose score/color changed in the latest analysis run. */
export interface SectorChange {
  sector: SectorKey;
  previous_color: SectorColor | null;
  color: SectorColor;
  previous_score: number | null;
  score: number | null;
}

/** One update from a data source: a fresh snapshot, a failure, or (live source only) a side event. */
export type SourceEvent =
  | { kind: 'data'; data: SectorsResponse }
  | { kind: 'error'; error: ApiError }
  | ({ kind: 'connection' } & ConnectionStatus)
  | ({ kind: 'progress' } & AnalysisProgress)
  | { kind: 'move'; move: SignificantMove }
  /** The recent moves a snapshot carries (newest first), replacing those held, with their ages. */
  | { kind: 'moves'; moves: { move: SignificantMove; ageMs: number }[] }
  | { kind: 'change'; as_of: string; sectors: SectorChange[] };

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
    subscribe(listener) {
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;

      const poll = async (): Promise<void> => {
        let delay = intervalMs;
        try {
          const data = await fetcher(controller.signal);
          if (controller.signal.aborted) return;
          listener({ kind: 'data', data });
        } catch (error) {
          if (controller.signal.aborted) return;
          const apiError = toApiError(error);
          if (apiError.notReady) delay = notReadyRetryMs;
          listener({ kind: 'error', error: apiError });
        }
        timer = setTimeout(() => void poll(), delay);
      };

      void poll();
      return () => {
        controller.abort();
        clearTimeout(timer);
      };
    },
  };
}
