import { act } from '@testing-library/react';
import type { SectorsSource, SourceEvent, SourceListener } from '../data/source';

/** A source the test drives by hand: `emit` delivers one event to the page. */
export function manualSource(): SectorsSource & { emit(event: SourceEvent): void } {
  let listener: SourceListener = () => {};
  return {
    subscribe(next) {
      listener = next;
      return () => {};
    },
    emit: (event) => act(() => listener(event)),
  };
}
