/** `GET /api/colour-history`: what each colour was followed by on real history (one request a page). */
import { isRecord, requestJson } from './client';
import type { ColourHistory } from './types';

export const COLOUR_HISTORY_URL = '/api/colour-history';

function looksLikeColourHistory(body: unknown): body is ColourHistory {
  return isRecord(body) && typeof body.label === 'string' && Array.isArray(body.colors);
}

export function fetchColourHistory(signal?: AbortSignal): Promise<ColourHistory> {
  return requestJson<ColourHistory>(COLOUR_HISTORY_URL, { signal }, looksLikeColourHistory, {
    malformedMessage: 'Malformed colour history from the server',
  });
}
