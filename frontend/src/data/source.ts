import { ApiError, fetchSectors, toApiError } from '../api/client';
import type { SectorsResponse } from '../api/types';

/** One update from a data source: a fresh snapshot or a failure. */
export type SourceEvent =
  | { kind: 'data'; data: SectorsResponse }
  | { kind: 'error'; error: ApiError };

export type SourceListener = (event: SourceEvent) => void;

/**
 * Anything that pushes sector snapshots: today an HTTP poller, later a WebSocket.
 * `subscribe` starts delivering events and returns a function that stops it.
 */
export interface SectorsSource {
  subscribe(listener: SourceListener): () => void;
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
