import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeClock } from '../test/env';
import { makeResponse } from '../test/fixtures';
import { Header } from './Header';

const FOUR_MIN_LATER = Date.parse('2026-11-24T11:41:10Z');

describe('Header', () => {
  fakeClock();

  it('shows the simulated badge, ET time, age, freshness and benchmark', () => {
    vi.setSystemTime(FOUR_MIN_LATER);
    render(<Header data={makeResponse()} stale={false} />);
    expect(screen.getByRole('heading', { name: 'SectorLights' })).toBeInTheDocument();
    expect(screen.getByTestId('simulated-badge')).toHaveTextContent('Simulated data');
    expect(screen.getByTestId('as-of')).toHaveTextContent('06:37 ET');
    // The server's age (125 s when sent), not the browser clock's distance to as_of.
    expect(screen.getByTestId('data-age')).toHaveTextContent('2 min ago');
    expect(screen.getByTestId('freshness')).toHaveTextContent('fresh');
    expect(screen.queryByTestId('stale-marker')).not.toBeInTheDocument();
    const benchmark = screen.getByTestId('benchmark');
    expect(benchmark).toHaveTextContent('IWM');
    expect(benchmark).toHaveTextContent('1D +1.20%');
    expect(benchmark).toHaveTextContent('3D -0.40%');
  });

  it('shows hours in the age and a stale marker', () => {
    const data = makeResponse({ freshness: 'stale', stale: true, age_secs: 9420 });
    vi.setSystemTime(Date.parse('2026-11-24T14:14:00Z'));
    render(<Header data={data} stale />);
    expect(screen.getByTestId('data-age')).toHaveTextContent('2 h 37 min ago');
    expect(screen.getByTestId('stale-marker')).toBeVisible();
  });

  it('keeps the age moving with local time from what the server said', () => {
    const data = makeResponse({ age_secs: 60 });
    vi.setSystemTime(FOUR_MIN_LATER);
    render(<Header data={data} stale={false} />);
    expect(screen.getByTestId('data-age')).toHaveTextContent('1 min ago');
    act(() => vi.advanceTimersByTime(5 * 60_000));
    expect(screen.getByTestId('data-age')).toHaveTextContent('6 min ago');
  });

  it('shows the provider name when data is real', () => {
    const data = makeResponse({
      data_source: { provider: 'polygon', simulated: false, label: 'Polygon' },
    });
    render(<Header data={data} stale={false} />);
    expect(screen.queryByTestId('simulated-badge')).not.toBeInTheDocument();
    expect(screen.getByTestId('source-label')).toHaveTextContent('Polygon');
  });

  it('marks a replay of a past session as not live', () => {
    const data = makeResponse({
      data_source: {
        provider: 'flatfiles',
        simulated: false,
        label: 'Replay of 2016-06-24',
        replay_of: '2016-06-24',
      },
    });
    render(<Header data={data} stale={false} />);
    const badge = screen.getByTestId('replay-badge');
    expect(badge).toHaveTextContent('Replay of 2016-06-24');
    expect(badge).toHaveAttribute('title', expect.stringContaining('Not live'));
    expect(screen.queryByTestId('source-label')).not.toBeInTheDocument();
    expect(screen.queryByTestId('simulated-badge')).not.toBeInTheDocument();
  });
});
