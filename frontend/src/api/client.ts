import type { SectorsResponse } from './types';

export const SECTORS_URL = '/api/sectors';

/** A failed request. `status` is null when the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number | null;
  readonly detail: string | null;

  constructor(message: string, status: number | null, detail: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }

  /** HTTP 503: the backend is up but has no analysis yet. */
  get notReady(): boolean {
    return this.status === 503;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function detailOf(body: unknown): string | null {
  if (isRecord(body) && typeof body.detail === 'string' && body.detail.trim() !== '') {
    return body.detail;
  }
  return null;
}

function looksLikeSectors(body: unknown): body is SectorsResponse {
  return (
    isRecord(body) &&
    typeof body.as_of === 'string' &&
    Array.isArray(body.sectors) &&
    isRecord(body.data_source) &&
    isRecord(body.benchmark)
  );
}

export async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return null;
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Converts anything thrown while fetching into an ApiError (abort errors pass through). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ApiError(`Cannot reach the server (${reason})`, null);
}

/** `GET /api/sectors`. Throws ApiError on network failure, non-2xx or a malformed body. */
export async function fetchSectors(signal?: AbortSignal): Promise<SectorsResponse> {
  let response: Response;
  try {
    response = await globalThis.fetch(SECTORS_URL, {
      headers: { Accept: 'application/json' },
      signal,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw toApiError(error);
  }

  const body = await readJson(response);
  if (!response.ok) {
    const detail = detailOf(body);
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    throw new ApiError(detail ?? `HTTP ${response.status}${statusText}`, response.status, detail);
  }
  if (!looksLikeSectors(body)) {
    throw new ApiError('Malformed response from the server', response.status);
  }
  return body;
}
