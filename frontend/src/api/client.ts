import { authorization, notifyUnauthorized } from './token';
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

/** HTTP 429: too many runs started; `retryAfterSecs` from the Retry-After header. */
export class RateLimitedError extends ApiError {
  readonly retryAfterSecs: number | null;

  constructor(message: string, detail: string | null, retryAfterSecs: number | null) {
    super(message, 429, detail);
    this.name = 'RateLimitedError';
    this.retryAfterSecs = retryAfterSecs;
  }
}

/**
 * `fetch` with `Accept: application/json` and the tab's token (if any) as `Authorization: Bearer`;
 * a network failure becomes an ApiError, an abort passes through. A 401 is announced
 * (`onUnauthorized`), so the page asks for a token again.
 */
export async function send(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await globalThis.fetch(url, {
      ...init,
      headers: {
        Accept: 'application/json',
        ...authorization(),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw toApiError(error);
  }
  if (response.status === 401) notifyUnauthorized();
  return response;
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const secs = Number(value.trim());
  if (Number.isFinite(secs) && secs >= 0) return secs;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export interface ErrorOptions {
  /** Throw a 429 as RateLimitedError (with Retry-After); the sector requests keep a plain ApiError. */
  rateLimited?: boolean;
}

/** The ApiError of a non-2xx response: the server's `detail`, else "HTTP <status> <text>". */
export function errorOf(response: Response, body: unknown, { rateLimited = false }: ErrorOptions = {}): ApiError {
  const detail = detailOf(body);
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  const message = detail ?? `HTTP ${response.status}${statusText}`;
  if (rateLimited && response.status === 429) {
    return new RateLimitedError(message, detail, parseRetryAfter(response.headers.get('Retry-After')));
  }
  return new ApiError(message, response.status, detail);
}

export interface RequestOptions extends ErrorOptions {
  /** Message of the ApiError thrown when the body does not have the expected shape. */
  malformedMessage?: string;
}

/** A JSON request. Throws ApiError on network failure, non-2xx or a body that `looksRight` rejects. */
export async function requestJson<T>(
  url: string,
  init: RequestInit,
  looksRight: (body: unknown) => boolean,
  { malformedMessage = 'Malformed response from the server', ...errorOptions }: RequestOptions = {},
): Promise<T> {
  const response = await send(url, init);
  const body = await readJson(response);
  if (!response.ok) throw errorOf(response, body, errorOptions);
  if (!looksRight(body)) throw new ApiError(malformedMessage, response.status);
  return body as T;
}

/** `GET /api/sectors`. Throws ApiError on network failure, non-2xx or a malformed body. */
export function fetchSectors(signal?: AbortSignal): Promise<SectorsResponse> {
  return requestJson<SectorsResponse>(SECTORS_URL, { signal }, looksLikeSectors);
}
