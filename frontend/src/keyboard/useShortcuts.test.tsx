import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import ShortcutsHelp from './ShortcutsHelp';
import { shortcutOf, useShortcuts, type ShortcutActions } from './useShortcuts';

const body = document.body;

describe('shortcutOf', () => {
  it.each([
    [{ key: '/' }, { kind: 'lookup' }],
    [{ key: '?' }, { kind: 'help' }],
    [{ key: 's' }, { kind: 'scanner' }],
    [{ key: 'm' }, { kind: 'heatmap' }],
    [{ key: 'M' }, null],
    [{ key: 'S' }, null],
    [{ key: 'r' }, { kind: 'rotation' }],
    [{ key: 'R' }, null],
    [{ key: '1' }, { kind: 'sector', sector: 'technology' }],
    [{ key: '8' }, { kind: 'sector', sector: 'utilities' }],
    [{ key: '9' }, null],
    [{ key: '0' }, null],
    [{ key: 'a' }, null],
    [{ key: '1', ctrlKey: true }, null],
    [{ key: '/', metaKey: true }, null],
  ])('%o → %o', (event, expected) => {
    expect(shortcutOf({ ctrlKey: false, metaKey: false, altKey: false, target: body, ...event })).toEqual(expected);
  });

  it.each(['input', 'textarea', 'select'])('ignores keys typed into a %s', (tag) => {
    const field = document.createElement(tag);
    expect(shortcutOf({ key: '1', ctrlKey: false, metaKey: false, altKey: false, target: field })).toBeNull();
  });
});

const actionMocks = () => ({
  focusLookup: vi.fn(),
  openSector: vi.fn(),
  toggleHelp: vi.fn(),
  toggleScanner: vi.fn(),
  toggleRotation: vi.fn(),
  toggleHeatmap: vi.fn(),
});

function Probe({ actions }: { actions: ShortcutActions }) {
  useShortcuts(actions);
  return <input data-testid="field" />;
}

describe('useShortcuts', () => {
  it('runs the command of a key pressed on the page, not in a field', () => {
    const actions = actionMocks();
    render(<Probe actions={actions} />);
    fireEvent.keyDown(document.body, { key: '3' });
    fireEvent.keyDown(document.body, { key: '/' });
    fireEvent.keyDown(document.body, { key: '?' });
    fireEvent.keyDown(document.body, { key: 's' });
    fireEvent.keyDown(document.body, { key: 'm' });
    fireEvent.keyDown(document.body, { key: 'r' });
    fireEvent.keyDown(screen.getByTestId('field'), { key: '4' });
    fireEvent.keyDown(screen.getByTestId('field'), { key: 'r' });
    expect(actions.openSector).toHaveBeenCalledExactlyOnceWith('energy');
    expect(actions.focusLookup).toHaveBeenCalledOnce();
    expect(actions.toggleHelp).toHaveBeenCalledOnce();
    expect(actions.toggleScanner).toHaveBeenCalledOnce();
    expect(actions.toggleHeatmap).toHaveBeenCalledOnce();
    expect(actions.toggleRotation).toHaveBeenCalledOnce();
  });

  it('leaves the keys pressed inside a modal dialog to the dialog', () => {
    const actions = actionMocks();
    render(
      <>
        <Probe actions={actions} />
        <div role="dialog" aria-modal="true">
          <button type="button">inside</button>
        </div>
      </>,
    );
    fireEvent.keyDown(screen.getByRole('button', { name: 'inside' }), { key: '2' });
    fireEvent.keyDown(screen.getByRole('button', { name: 'inside' }), { key: 's' });
    expect(actions.openSector).not.toHaveBeenCalled();
    expect(actions.toggleScanner).not.toHaveBeenCalled();
  });
});

describe('ShortcutsHelp', () => {
  it('lists every shortcut with the sector names, and closes on Escape', () => {
    const onClose = vi.fn();
    render(<ShortcutsHelp labels={{ technology: 'Technology' }} onClose={onClose} />);
    const help = screen.getByTestId('shortcuts');
    expect(help).toHaveTextContent('/Look up a stock');
    expect(help).toHaveTextContent('sShow or hide the gap scanner');
    expect(help).toHaveTextContent('rShow or hide the sector rotation graph');
    expect(help).toHaveTextContent('↓ ↑In a card: its stocks, pins');
    expect(help).toHaveTextContent('1Open Technology');
    expect(help).toHaveTextContent('8Open Utilities');
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledOnce();
  });
});
