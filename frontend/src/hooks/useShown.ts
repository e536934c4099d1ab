/** Whether a side view (the scanner, the rotation graph) is shown, remembered in this browser. */
import { type Dispatch, type SetStateAction, useCallback, useState } from 'react';

/** Shown or not; `keyboard` is shown and opened by its shortcut, so the focus goes into it. */
export type Shown = 'closed' | 'open' | 'keyboard';

function readShown(key: string): Shown {
  try {
    return globalThis.localStorage?.getItem(key) === 'true' ? 'open' : 'closed';
  } catch {
    return 'closed';
  }
}

/** Whether the view kept under `key` is shown; the choice is remembered for the next visit. */
export function useShown(key: string): [Shown, Dispatch<SetStateAction<Shown>>] {
  const [shown, setShownState] = useState<Shown>(() => readShown(key));
  const setShown = useCallback(
    (next: SetStateAction<Shown>) => {
      setShownState((was) => {
        const value = typeof next === 'function' ? next(was) : next;
        try {
          globalThis.localStorage?.setItem(key, String(value !== 'closed'));
        } catch {
          // Without storage the choice lasts for this page.
        }
        return value;
      });
    },
    [key],
  );
  return [shown, setShown];
}
