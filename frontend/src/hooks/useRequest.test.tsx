import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { useRequest } from './useRequest';

type Request = (signal: AbortSignal) => Promise<string>;

function Probe({ request, query }: { request: Request; query: string | null }) {
  const load = useRequest(query === null ? null : request, [query]);
  const text =
    load.state === 'ok' ? load.data : load.state === 'error' ? `error: ${load.error.message}` : load.state;
  return <span data-testid="load">{text}</span>;
}

/** A request whose answers the test hands out, with the signal each call got. */
function pending() {
  const calls: { signal: AbortSignal; resolve(value: string): void; reject(error: unknown): void }[] = [];
  const request = vi.fn<Request>(
    (signal) => new Promise<string>((resolve, reject) => calls.push({ signal, resolve, reject })),
  );
  return { request, calls };
}

describe('useRequest', () => {
  it('is idle without a request, then loading, then the answer', async () => {
    const { request, calls } = pending();
    const { rerender } = render(<Probe request={request} query={null} />);
    expect(screen.getByTestId('load')).toHaveTextContent('idle');
    rerender(<Probe request={request} query="AAC" />);
    expect(screen.getByTestId('load')).toHaveTextContent('loading');
    await act(async () => calls[0]?.resolve('AAC found'));
    expect(screen.getByTestId('load')).toHaveTextContent('AAC found');
  });

  it('aborts the request in flight when a new one starts, and its late answer is dropped', async () => {
    const { request, calls } = pending();
    const { rerender } = render(<Probe request={request} query="OLD" />);
    rerender(<Probe request={request} query="NEW" />);
    expect(calls[0]?.signal.aborted).toBe(true);
    await act(async () => calls[1]?.resolve('new answer'));
    await act(async () => calls[0]?.resolve('old answer'));
    expect(screen.getByTestId('load')).toHaveTextContent('new answer');
  });

  it('turns a failure into an ApiError, and aborts on unmount', async () => {
    const { request, calls } = pending();
    const { unmount } = render(<Probe request={request} query="X" />);
    await act(async () => calls[0]?.reject(new ApiError('No analysis yet', 503)));
    expect(screen.getByTestId('load')).toHaveTextContent('error: No analysis yet');
    render(<Probe request={request} query="Y" />);
    unmount();
    expect(calls[0]?.signal.aborted).toBe(true);
  });
});
