import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TimedSectorChange } from '../hooks/useSectors';
import { ChangeAnnouncer, changeAnnouncement } from './ChangeAnnouncer';

function change(overrides: Partial<TimedSectorChange>): TimedSectorChange {
  return {
    sector: 'technology',
    previous_color: 'light_green',
    color: 'light_red',
    previous_score: 0.3,
    score: -0.3,
    at: 1,
    ...overrides,
  };
}

const LABELS = { technology: 'Technology', energy: 'Energy' } as const;

describe('ChangeAnnouncer', () => {
  it.each<[string, Parameters<typeof changeAnnouncement>[0], string]>([
    ['no change', {}, ''],
    ['a color change', { technology: change({}) }, 'Technology now light red, was light green'],
    ['a score-only change is not said', { technology: change({ color: 'light_green' }) }, ''],
    ['a first color is not said', { technology: change({ previous_color: null }) }, ''],
    [
      'two sectors',
      { technology: change({}), energy: change({ sector: 'energy', previous_color: 'blue_neutral', color: 'dark_red' }) },
      'Technology now light red, was light green. Energy now dark red, was neutral',
    ],
  ])('%s', (_name, changes, expected) => {
    expect(changeAnnouncement(changes, LABELS)).toBe(expected);
  });

  it('is a polite status region', () => {
    render(<ChangeAnnouncer changes={{ technology: change({}) }} labels={LABELS} />);
    const region = screen.getByRole('status');
    expect(region).toHaveAttribute('aria-live', 'polite');
    expect(region).toHaveTextContent('Technology now light red, was light green');
  });
});
