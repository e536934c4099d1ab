import { describe, expect, it, vi } from 'vitest';
import { fakeClock } from '../test/env';
import { poll } from './poll';

describe('poll', () => {
  fakeClock();

  it('waits a first interval when asked to, and skips the rounds the socket covered', async () => {
    const fetch = vi.fn<(signal: AbortSignal) => Promise<number>>().mockResolvedValue(1);
    const onData = vi.fn();
    let covered = false;
    const stop = poll({ fetch, onData, onError: vi.fn(), intervalMs: 1_000, immediate: false, skip: () => covered });

    await vi.advanceTimersByTimeAsync(999);
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onData).toHaveBeenCalledWith(1);

    covered = true;
    await vi.advanceTimersByTimeAsync(3_000);
    covered = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetch.mock.calls.map(([signal]) => signal.aborted)).toEqual([false, false]);
    stop();
    expect(fetch.mock.calls[1]?.[0].aborted).toBe(true);
  });

  it('hands failures on as ApiError and waits retryMs after one', async () => {
    const fetch = vi.fn<(signal: AbortSignal) => Promise<number>>().mockRejectedValueOnce(new TypeError('offline'));
    fetch.mockResolvedValue(2);
    const onError = vi.fn();
    poll({ fetch, onData: vi.fn(), onError, intervalMs: 30_000, retryMs: () => 500 });
    await vi.advanceTimersByTimeAsync(0);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ name: 'ApiError', status: null });
    await vi.advanceTimersByTimeAsync(500);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
