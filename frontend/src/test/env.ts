import { afterEach, beforeEach, vi, type Mock } from 'vitest';

export interface MockFetchOptions {
  /** Fake timers that still advance on their own, so awaited responses settle. */
  fakeTimers?: boolean;
}

/** Stands in for `fetch` in every test of the calling file or suite, reset after each; returns the mock. */
export function mockFetch({ fakeTimers = false }: MockFetchOptions = {}): Mock<typeof fetch> {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    if (fakeTimers) vi.useFakeTimers({ shouldAdvanceTime: true });
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    fetchMock.mockReset();
  });
  return fetchMock;
}

/** Fake timers and clock in every test of the calling file or suite; `vi.setSystemTime` sets the time. */
export function fakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
