/**
 * Requests of time travel: `GET /api/runs` (stored runs), `GET /api/runs/{run_id}/grid` and
 * `POST /api/replays` (replay a past session).
 */
import { isRecord, requestJson } from './client';
import type { ReplayRequest, ReplayStarted, SectorsResponse, StoredRuns } from './types';

export const RUNS_URL = '/api/runs';
export const REPLAYS_URL = '/api/replays';

function looksLikeRuns(body: unknown): body is StoredRuns {
  return isRecord(body) && Array.isArray(body.runs);
}

function looksLikeGrid(body: unknown): body is SectorsResponse {
  return isRecord(body) && typeof body.as_of === 'string' && Array.isArray(body.sectors);
}

/** The stored runs whose market time is before `before` (an instant, ISO 8601), newest first. */
export function storedRunsUrl(before: string | null, limit = 50): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before !== null) query.set('before', before);
  return `${RUNS_URL}?${query.toString()}`;
}

export function fetchStoredRuns(before: string | null, signal?: AbortSignal): Promise<StoredRuns> {
  return requestJson<StoredRuns>(storedRunsUrl(before), { signal }, looksLikeRuns, {
    malformedMessage: 'Malformed run list from the server',
  });
}

/** The grid a stored run published; never live (the server marks it stale). */
export function fetchStoredGrid(runId: string, signal?: AbortSignal): Promise<SectorsResponse> {
  return requestJson<SectorsResponse>(`${RUNS_URL}/${encodeURIComponent(runId)}/grid`, { signal }, looksLikeGrid, {
    malformedMessage: 'Malformed stored grid from the server',
  });
}

/**
 * `POST /api/replays`: starts the replay of a past session and answers with its run. A refusal
 * (422 naming the field, 409 while another replay runs, 429) throws an ApiError with the server's
 * message.
 */
export function startReplay(request: ReplayRequest, signal?: AbortSignal): Promise<ReplayStarted> {
  return requestJson<ReplayStarted>(
    REPLAYS_URL,
    { method: 'POST', signal, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) },
    (body) => isRecord(body) && typeof body.run_id === 'string',
    { rateLimited: true },
  );
}
