import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { SectorsResponse } from '../api/types';
import { makeResponse } from '../test/fixtures';
import { createPollingSource, type SourceEvent } from './source';

describe('createPollingSource', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries every 3 s on 503, then every 30 s once data arrives', async () => {
    const fetcher = vi
      .fn<(signal: AbortSignal) => Promise<SectorsResponse>>()
      .mockRejectedValueOnce(new ApiError('No analysis yet', 503, 'No analysis yet'))
      .mockResolvedValue(makeResponse());
    const events: SourceEvent[] = [];
    const stop = createPollingSource({ fetcher }).subscribe((event) => events.push(event));

    await vi.advanceTimersByTimeAsync(0);
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(events[0]).toMatchObject({ kind: 'error' });

    await vi.advanceTimersByTimeAsync(2_999);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(events[1]).toMatchObject({ kind: 'data' });

    await vi.advanceTimersByTimeAsync(29_999);
    expect(fetcher).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetcher).toHaveBeenCalledTimes(3);

    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetcher).toHaveBeenCalledTimes(3);
  });

  it('keeps the 30 s cadence on other errors and stops delivering after unsubscribe', async () => {
    const fetcher = vi
      .fn<(signal: AbortSignal) => Promise<SectorsResponse>>()
      .mockRejectedValue(new TypeError('Failed to fetch'));
    const listener = vi.fn<(event: SourceEvent) => void>();
    const stop = createPollingSource({ fetcher }).subscribe(listener);

    await vi.advanceTimersByTimeAsync(0);
    const first = listener.mock.calls[0]?.[0];
    expect(first?.kind).toBe('error');
    if (first?.kind === 'error') expect(first.error.status).toBeNull();

    await vi.advanceTimersByTimeAsync(3_000);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(27_000);
    expect(fetcher).toHaveBeenCalledTimes(2);

    stop();
    expect(fetcher.mock.calls[1]?.[0].aborted).toBe(true);
  });
});
