import { chooseTheme, useTheme } from './theme';

/** Switches between the light and the dark theme; the page starts with the system's setting. */
export function ThemeToggle() {
  const theme = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="control-button"
      onClick={() => chooseTheme(next)}
      aria-label={`Switch to the ${next} theme`}
      title={`Switch to the ${next} theme`}
      data-testid="theme-toggle"
      data-theme-now={theme}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
      <span className="control-label"> {next === 'light' ? 'Light' : 'Dark'}</span>
    </button>
  );
}
