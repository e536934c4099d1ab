/**
 * The API token of this tab (SECTORLIGHTS_AUTH=required): kept in session storage, so it lasts
 * while the tab is open and is gone when it closes; sent as `Authorization: Bearer` by every
 * request (`send` in ./client). A 401 tells the listeners, so the page can ask for a token again.
 */

export const TOKEN_KEY = 'sectorlights.token';

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Storage can be refused (privacy settings): then the token lasts as long as the page.
    return null;
  }
}

let inMemory: string | null = null;

export function storedToken(): string | null {
  const store = storage();
  return store ? store.getItem(TOKEN_KEY) : inMemory;
}

export function storeToken(token: string): void {
  const store = storage();
  if (store) store.setItem(TOKEN_KEY, token);
  else inMemory = token;
}

export function clearToken(): void {
  storage()?.removeItem(TOKEN_KEY);
  inMemory = null;
}

/** The header that carries the token, or none without one (auth off). */
export function authorization(): Record<string, string> {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

const unauthorizedListeners = new Set<() => void>();

/** Calls `listener` whenever the API answers 401; returns the function that stops it. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function notifyUnauthorized(): void {
  for (const listener of [...unauthorizedListeners]) listener();
}
