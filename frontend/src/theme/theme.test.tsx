import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveTheme, THEME_KEY } from './theme';
import { ThemeToggle } from './ThemeToggle';

function systemPrefersLight(light: boolean) {
  vi.stubGlobal('matchMedia', (media: string) => ({
    matches: light && media === '(prefers-color-scheme: light)',
    media,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  }));
}

describe('theme', () => {
  beforeEach(() => localStorage.removeItem(THEME_KEY));
  afterEach(() => vi.unstubAllGlobals());

  it.each([
    ['system', true, 'light'],
    ['system', false, 'dark'],
    ['light', false, 'light'],
    ['dark', true, 'dark'],
  ] as const)('choice %s with a light system %s is %s', (choice, light, theme) => {
    expect(resolveTheme(choice, light)).toBe(theme);
  });

  it('follows the system first, then the toggle, remembered', () => {
    systemPrefersLight(true);
    render(<ThemeToggle />);
    expect(document.documentElement.dataset.theme).toBe('light');
    fireEvent.click(screen.getByTestId('theme-toggle'));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(screen.getByTestId('theme-toggle')).toHaveAccessibleName('Switch to the light theme');
  });
});
