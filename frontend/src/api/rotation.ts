/** `GET /api/rrg`: the Relative Rotation Graph of the sectors against IWM. Failures throw ApiError. */
import { isRecord, requestJson } from './client';
import type { RotationGraph, RotationInterval } from './types';

export const ROTATION_URL = '/api/rrg';
/** The longest tail the server keeps per sector, and the one a first visit shows. */
export const MAX_TAIL = 12;
export const DEFAULT_TAIL = 5;

export interface RotationQuery {
  interval: RotationInterval;
  tail: number;
  /** A stored run's graph (the history's run on screen); null for the latest analysis. */
  runId: string | null;
}

export function rotationUrl({ interval, tail, runId }: RotationQuery): string {
  const params = new URLSearchParams({ interval, tail: String(tail) });
  if (runId !== null) params.set('run_id', runId);
  return `${ROTATION_URL}?${params.toString()}`;
}

function looksLikeRotation(body: unknown): body is RotationGraph {
  return isRecord(body) && typeof body.as_of === 'string' && Array.isArray(body.sectors);
}

export function fetchRotation(query: RotationQuery, signal?: AbortSignal): Promise<RotationGraph> {
  return requestJson<RotationGraph>(rotationUrl(query), { signal }, looksLikeRotation, {
    malformedMessage: 'Malformed rotation graph from the server',
  });
}
