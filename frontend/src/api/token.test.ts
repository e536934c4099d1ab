import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchSectors } from './client';
import { fetchWsTicket } from './session';
import { clearToken, onUnauthorized, storeToken, storedToken, TOKEN_KEY } from './token';
import { jsonResponse, makeResponse } from '../test/fixtures';
import { mockFetch } from '../test/env';

const fetchMock = mockFetch();

function headersOf(call: number): Record<string, string> {
  return (fetchMock.mock.calls[call]?.[1]?.headers ?? {}) as Record<string, string>;
}

describe('the tab token', () => {
  afterEach(() => clearToken());

  it('is kept in session storage and sent as a bearer header, and not without one', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(makeResponse())));
    await fetchSectors();
    expect(headersOf(0).Authorization).toBeUndefined();
    storeToken('abc');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('abc');
    await fetchSectors();
    expect(headersOf(1).Authorization).toBe('Bearer abc');
    clearToken();
    expect(storedToken()).toBeNull();
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('announces a 401', async () => {
    const heard = vi.fn();
    const stop = onUnauthorized(heard);
    fetchMock
      .mockResolvedValueOnce(jsonResponse({ detail: 'Authorization: unknown token' }, 401))
      .mockResolvedValueOnce(jsonResponse({ detail: 'No analysis yet' }, 503));
    await expect(fetchSectors()).rejects.toMatchObject({ status: 401 });
    await expect(fetchSectors()).rejects.toMatchObject({ status: 503 });
    expect(heard).toHaveBeenCalledTimes(1);
    stop();
  });

  it('asks for a ws ticket only while it holds a token', async () => {
    expect(await fetchWsTicket()).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
    storeToken('abc');
    fetchMock.mockResolvedValue(jsonResponse({ ticket: 'tk', expires_in_secs: 30 }));
    expect(await fetchWsTicket()).toBe('tk');
    expect(fetchMock).toHaveBeenCalledWith('/api/ws-ticket', expect.objectContaining({ method: 'POST' }));
    expect(headersOf(0).Authorization).toBe('Bearer abc');
  });
});
