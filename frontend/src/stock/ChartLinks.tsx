/** The links out to the trader's charting sites, and the list editor that saves them to their preferences. */
import { type FormEvent, useId, useState } from 'react';
import type { ChartLink } from '../api/types';
import { saveChartLinks, useWatchlist } from '../watchlist/store';
import { CHART_LINKS_MAX, chartLinksFor, SYMBOL_PLACEHOLDER } from './links';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface EditorProps {
  links: readonly ChartLink[];
  onDone: () => void;
}

/** One line per link (label and address with {symbol}); saved as a whole, the server's refusal shown as it says it. */
export function ChartLinksEditor({ links, onDone }: EditorProps) {
  const [rows, setRows] = useState<ChartLink[]>(() => links.map((link) => ({ ...link })));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const hintId = useId();

  const edit = (index: number, change: Partial<ChartLink>) =>
    setRows((was) => was.map((row, at) => (at === index ? { ...row, ...change } : row)));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await saveChartLinks(rows.map((row) => ({ label: row.label.trim(), url_template: row.url_template.trim() })));
      onDone();
    } catch (failure) {
      setError(message(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="links-editor" onSubmit={(event) => void onSubmit(event)} data-testid="links-editor" noValidate>
      <p id={hintId} className="links-hint">
        Each address must start with https:// and contain <code>{SYMBOL_PLACEHOLDER}</code> where the ticker goes.
      </p>
      {rows.length === 0 && <p className="muted">No links: add one, or save to show none.</p>}
      <ol className="links-rows">
        {rows.map((row, index) => (
          <li key={index} className="links-row" data-testid="link-row">
            <label>
              <span className="visually-hidden">Label of link {index + 1}</span>
              <input
                className="lookup-input links-input links-label"
                value={row.label}
                maxLength={24}
                placeholder="Label"
                onChange={(event) => edit(index, { label: event.target.value })}
                aria-describedby={error ? errorId : undefined}
                data-testid="link-label"
              />
            </label>
            <label className="links-url">
              <span className="visually-hidden">Address of link {index + 1}</span>
              <input
                className="lookup-input links-input"
                value={row.url_template}
                maxLength={500}
                placeholder={`https://example.com/chart?s=${SYMBOL_PLACEHOLDER}`}
                spellCheck={false}
                autoComplete="off"
                inputMode="url"
                onChange={(event) => edit(index, { url_template: event.target.value })}
                aria-describedby={error ? `${hintId} ${errorId}` : hintId}
                data-testid="link-url"
              />
            </label>
            <button
              type="button"
              className="control-button"
              aria-label={`Remove link ${row.label || index + 1}`}
              onClick={() => setRows((was) => was.filter((_, at) => at !== index))}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      {error && (
        <p id={errorId} className="control-error" role="alert" data-testid="links-error">
          Not saved: {error}
        </p>
      )}
      <div className="links-actions">
        <button
          type="button"
          className="control-button"
          disabled={rows.length >= CHART_LINKS_MAX}
          onClick={() => setRows((was) => [...was, { label: '', url_template: 'https://' }])}
          data-testid="link-add"
        >
          Add link
        </button>
        <button type="submit" className="control-button" disabled={saving} data-testid="links-save">
          {saving ? 'Saving…' : 'Save links'}
        </button>
        <button type="button" className="control-button" onClick={onDone} data-testid="links-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}

/** "Open in": the trader's links for `symbol`, each in a new tab; and the place to change them. */
export function ChartLinks({ symbol }: { symbol: string }) {
  const { chartLinks, error } = useWatchlist();
  const [editing, setEditing] = useState(false);
  const built = chartLinks === null ? [] : chartLinksFor(chartLinks, symbol);
  return (
    <section className="stock-section stock-links" aria-label="Links out" data-testid="chart-links">
      <h3>Open in</h3>
      {chartLinks === null && !error && <p className="muted">Loading your links…</p>}
      {chartLinks === null && error && <p className="control-error">{error}</p>}
      {chartLinks !== null && built.length === 0 && !editing && <p className="muted">No links yet.</p>}
      {built.length > 0 && (
        <ul className="links-list">
          {built.map((link) => (
            <li key={`${link.label}:${link.url}`}>
              <a href={link.url} target="_blank" rel="noopener noreferrer" data-testid="chart-link">
                {link.label}
                <span className="visually-hidden"> (opens in a new tab)</span>
                <span aria-hidden="true"> ↗</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {chartLinks !== null &&
        (editing ? (
          <ChartLinksEditor links={chartLinks} onDone={() => setEditing(false)} />
        ) : (
          <button type="button" className="control-button" onClick={() => setEditing(true)} data-testid="links-edit">
            Edit links
          </button>
        ))}
    </section>
  );
}
