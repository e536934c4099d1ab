import { type ApiError, toApiError } from '../api/client';

export interface PollOptions<T> {
  /** One request; its signal is aborted when polling stops. */
  fetch(signal: AbortSignal): Promise<T>;
  onData(data: T): void;
  onError(error: ApiError): void;
  /** Wait before the next request: after data, and after a failure unless `retryMs` says otherwise. */
  intervalMs: number;
  /** Wait after a failure (e.g. shorter while the backend answers 503). */
  retryMs?: (error: ApiError) => number;
  /** True when this round can be skipped (the same news came another way, e.g. over the socket). */
  skip?: () => boolean;
  /** Request right away (default) or only after a first interval. */
  immediate?: boolean;
}

/**
 * The page's one polling loop: a request, then a wait, then the next request; never two requests
 * at once, and nothing delivered once the returned function has stopped it.
 */
export function poll<T>({
  fetch,
  onData,
  onError,
  intervalMs,
  retryMs = () => intervalMs,
  skip = () => false,
  immediate = true,
}: PollOptions<T>): () => void {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => void round(), delayMs);
  };

  const round = async (): Promise<void> => {
    if (skip()) {
      schedule(intervalMs);
      return;
    }
    let delay = intervalMs;
    try {
      const data = await fetch(controller.signal);
      if (controller.signal.aborted) return;
      onData(data);
    } catch (error) {
      if (controller.signal.aborted) return;
      const apiError = toApiError(error);
      delay = retryMs(apiError);
      onError(apiError);
    }
    if (!controller.signal.aborted) schedule(delay);
  };

  if (immediate) void round();
  else schedule(intervalMs);
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
