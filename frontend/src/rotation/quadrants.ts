/** The rotation graph's quadrants in words (the card's badge and the Rotation view share them). */
import type { Quadrant } from '../api/types';

export const QUADRANTS: readonly Quadrant[] = ['leading', 'weakening', 'lagging', 'improving'];

export const QUADRANT_WORDS: Record<Quadrant, string> = {
  leading: 'Leading',
  weakening: 'Weakening',
  lagging: 'Lagging',
  improving: 'Improving',
};

/** What each quadrant says against IWM, for a title or a legend. */
export const QUADRANT_MEANING: Record<Quadrant, string> = {
  leading: 'beating IWM by more than usual, the lead still widening',
  weakening: 'still ahead of IWM, the lead shrinking',
  lagging: 'behind IWM and falling further behind',
  improving: 'still behind IWM, catching up',
};

/** The shape that repeats a quadrant's meaning beside its word (colour never carries it alone). */
export const QUADRANT_MARKS: Record<Quadrant, string> = {
  leading: '↗',
  weakening: '↘',
  lagging: '↙',
  improving: '↖',
};
