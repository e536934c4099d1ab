/** `GET /api/session` (does the API need a token, and whose is ours) and `POST /api/ws-ticket`. */
import { isRecord, requestJson } from './client';
import { storedToken } from './token';
import type { Session, WsTicket } from './types';

export const SESSION_URL = '/api/session';
export const WS_TICKET_URL = '/api/ws-ticket';

function looksLikeSession(body: unknown): body is Session {
  return isRecord(body) && (body.auth === 'off' || body.auth === 'required');
}

function looksLikeTicket(body: unknown): body is WsTicket {
  return isRecord(body) && typeof body.ticket === 'string';
}

/** Whether a token is needed, and the user of the tab's token (null without a valid one). */
export function fetchSession(signal?: AbortSignal): Promise<Session> {
  return requestJson<Session>(SESSION_URL, { signal }, looksLikeSession);
}

/**
 * A single-use ticket that opens `/ws` as the signed-in user (a browser cannot send a header on a
 * WebSocket, and the token itself must not go in a URL); null without a token (auth off), when
 * none is needed.
 */
export async function fetchWsTicket(): Promise<string | null> {
  if (storedToken() === null) return null;
  const body = await requestJson<WsTicket>(WS_TICKET_URL, { method: 'POST' }, looksLikeTicket);
  return body.ticket;
}
