/** The caller's preferences (`GET`/`PUT /api/preferences`); failures throw ApiError. */
import { isRecord, requestJson } from './client';
import type { Preferences } from './types';

export const PREFERENCES_URL = '/api/preferences';

const looksLikePreferences = (body: unknown): boolean =>
  isRecord(body) && typeof body.freshness_tolerance_hours === 'number';

export function fetchPreferences(signal?: AbortSignal): Promise<Preferences> {
  return requestJson<Preferences>(PREFERENCES_URL, { signal }, looksLikePreferences);
}

/** Replaces the preferences (the PUT takes the whole object), answering what the server kept. */
export function savePreferences(preferences: Preferences, signal?: AbortSignal): Promise<Preferences> {
  return requestJson<Preferences>(
    PREFERENCES_URL,
    { method: 'PUT', body: JSON.stringify(preferences), headers: { 'Content-Type': 'application/json' }, signal },
    looksLikePreferences,
    { rateLimited: true },
  );
}
