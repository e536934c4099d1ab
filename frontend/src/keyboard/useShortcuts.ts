import { useEffect } from 'react';
import type { SectorKey } from '../api/types';
import { SECTOR_ORDER } from '../constants';

export interface ShortcutActions {
  focusLookup: () => void;
  openSector: (sector: SectorKey) => void;
  toggleHelp: () => void;
  toggleScanner: () => void;
  toggleHeatmap: () => void;
  toggleRotation: () => void;
}

/** Keys typed into a field are text, not commands; keys inside a modal dialog belong to it. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('[aria-modal="true"]')) return true;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The command of a key press, or null: `/` lookup, `1`–`8` the sectors in grid order, `s` the
 * scanner, `r` the rotation graph, `m` the member heatmap, `?` help. */
export function shortcutOf(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>):
  | { kind: 'lookup' }
  | { kind: 'sector'; sector: SectorKey }
  | { kind: 'help' }
  | { kind: 'scanner' }
  | { kind: 'heatmap' }
  | { kind: 'rotation' }
  | null {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return null;
  if (event.key === '/') return { kind: 'lookup' };
  if (event.key === '?') return { kind: 'help' };
  if (event.key === 's') return { kind: 'scanner' };
  if (event.key === 'm') return { kind: 'heatmap' };
  if (event.key === 'r') return { kind: 'rotation' };
  const digit = Number(event.key);
  if (event.key.length === 1 && digit >= 1 && digit <= SECTOR_ORDER.length) {
    return { kind: 'sector', sector: SECTOR_ORDER[digit - 1]! };
  }
  return null;
}

export function useShortcuts(actions: ShortcutActions): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutOf(event);
      if (!shortcut) return;
      event.preventDefault();
      if (shortcut.kind === 'lookup') actions.focusLookup();
      else if (shortcut.kind === 'help') actions.toggleHelp();
      else if (shortcut.kind === 'scanner') actions.toggleScanner();
      else if (shortcut.kind === 'heatmap') actions.toggleHeatmap();
      else if (shortcut.kind === 'rotation') actions.toggleRotation();
      else actions.openSector(shortcut.sector);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [actions]);
}
