/**
 * Light or dark: the system's setting (prefers-color-scheme) unless the trader chose one, kept in
 * this browser. The choice is applied as `data-theme` on <html>, which theme.css keys its colours on.
 */
import { useEffect, useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';
export const THEME_KEY = 'sectorlights.theme';

const listeners = new Set<() => void>();

function query(): MediaQueryList | null {
  return typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : null;
}

export function readChoice(): ThemeChoice {
  try {
    const stored = globalThis.localStorage?.getItem(THEME_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

export function resolveTheme(choice: ThemeChoice, systemLight: boolean): Theme {
  if (choice !== 'system') return choice;
  return systemLight ? 'light' : 'dark';
}

export function currentTheme(): Theme {
  return resolveTheme(readChoice(), query()?.matches ?? false);
}

/** Sets <html data-theme>; main.tsx calls it before the first render so the page never flashes. */
export function applyTheme(): Theme {
  const theme = currentTheme();
  document.documentElement.dataset.theme = theme;
  return theme;
}

/** The next choice of the toggle: it flips what is shown, and remembers that as the trader's own. */
export function chooseTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') globalThis.localStorage?.removeItem(THEME_KEY);
    else globalThis.localStorage?.setItem(THEME_KEY, choice);
  } catch {
    // Without storage the choice lasts for this page.
  }
  applyTheme();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const media = query();
  const onChange = () => {
    applyTheme();
    listener();
  };
  media?.addEventListener('change', onChange);
  return () => {
    listeners.delete(listener);
    media?.removeEventListener('change', onChange);
  };
}

export function useTheme(): Theme {
  const theme = useSyncExternalStore(subscribe, currentTheme, () => 'dark' as Theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}
