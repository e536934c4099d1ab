/** Choices kept in this browser (filters, views): read back leniently, written without failing. */

/** The JSON object kept under `key`; null when there is none, it is malformed or storage is off. */
export function readStoredObject(key: string): Record<string, unknown> | null {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    if (!raw) return null;
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Keeps `value` under `key`; without storage the choice lasts for this page. */
export function storeObject(key: string, value: object): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage off or full: nothing to keep it in.
  }
}

/** `value` when it is one of `allowed`, else `fallback`. */
export function pick<T>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
