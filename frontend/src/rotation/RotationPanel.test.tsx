import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { rotationUrl } from '../api/rotation';
import { mockFetch } from '../test/env';
import { jsonResponse } from '../test/fixtures';
import { makeRotationGraph } from '../test/trader';
import RotationPanel, { readRotationChoice, ROTATION_CHOICE_KEY } from './RotationPanel';
import { halfRange, linear } from './scales';

const LABELS = { technology: 'Technology', energy: 'Energy', healthcare: 'Healthcare' } as const;

describe('rotationUrl', () => {
  it.each([
    [{ interval: 'day', tail: 5, runId: null }, '/api/rrg?interval=day&tail=5'],
    [{ interval: '30min', tail: 12, runId: null }, '/api/rrg?interval=30min&tail=12'],
    [{ interval: 'day', tail: 3, runId: 'abc' }, '/api/rrg?interval=day&tail=3&run_id=abc'],
  ] as const)('%o → %s', (query, url) => {
    expect(rotationUrl(query)).toBe(url);
  });
});

describe('readRotationChoice', () => {
  beforeEach(() => localStorage.removeItem(ROTATION_CHOICE_KEY));

  it('reads what was kept, and anything malformed as the defaults', () => {
    expect(readRotationChoice()).toEqual({ interval: 'day', tail: 5 });
    localStorage.setItem(ROTATION_CHOICE_KEY, JSON.stringify({ interval: '30min', tail: 9 }));
    expect(readRotationChoice()).toEqual({ interval: '30min', tail: 9 });
    localStorage.setItem(ROTATION_CHOICE_KEY, JSON.stringify({ interval: 'hour', tail: 13 }));
    expect(readRotationChoice()).toEqual({ interval: 'day', tail: 5 });
    localStorage.setItem(ROTATION_CHOICE_KEY, '{oops');
    expect(readRotationChoice()).toEqual({ interval: 'day', tail: 5 });
  });
});

describe('RotationPanel', () => {
  const fetchMock = mockFetch();
  beforeEach(() => localStorage.removeItem(ROTATION_CHOICE_KEY));
  const answer = (body: unknown, status = 200) => Promise.resolve(jsonResponse(body, status));
  const urls = () => fetchMock.mock.calls.map(([url]) => String(url));

  it('draws each sector’s tail ending in a dot where its figures put it, in its quadrant', async () => {
    const graph = makeRotationGraph();
    fetchMock.mockImplementation(() => answer(graph));
    render(<RotationPanel refreshKey="a" runId={null} labels={LABELS} onClose={() => {}} />);
    const dots = await screen.findAllByTestId('rrg-dot');
    expect(dots.map((dot) => dot.dataset.sector)).toEqual(['technology', 'energy']);
    expect(dots.map((dot) => [dot.dataset.rsRatio, dot.dataset.rsMomentum, dot.dataset.quadrant])).toEqual([
      ['101.5306', '100.3226', 'leading'],
      ['98.1', '102.8', 'improving'],
    ]);

    // The square reaches 100 ± 3.5 (energy's momentum 2.8 away, plus a tenth, in halves).
    const chart = screen.getByTestId('rrg-chart');
    expect(chart.dataset.halfRange).toBe(String(halfRange(graph.sectors.flatMap((sector) => sector.points))));
    const axisX = Number(screen.getByTestId('rrg-axis-ratio').getAttribute('x1'));
    const axisY = Number(screen.getByTestId('rrg-axis-momentum').getAttribute('y1'));
    // The chart at its default 520 px: a 460 px square from x 46 and y 14.
    const x = linear([96.5, 103.5], [46, 506]);
    const y = linear([96.5, 103.5], [474, 14]);
    expect([axisX, axisY]).toEqual([x(100), y(100)]);
    for (const dot of dots) {
      const [cx, cy] = [Number(dot.getAttribute('cx')), Number(dot.getAttribute('cy'))];
      expect(cx).toBeCloseTo(x(Number(dot.dataset.rsRatio)), 6);
      expect(cy).toBeCloseTo(y(Number(dot.dataset.rsMomentum)), 6);
    }
    const [tech, energy] = dots;
    // Leading: right of the ratio axis and above the momentum axis; improving: left and above.
    expect(Number(tech!.getAttribute('cx'))).toBeGreaterThan(axisX);
    expect(Number(tech!.getAttribute('cy'))).toBeLessThan(axisY);
    expect(Number(energy!.getAttribute('cx'))).toBeLessThan(axisX);
    expect(Number(energy!.getAttribute('cy'))).toBeLessThan(axisY);

    // The tail runs through every point, oldest first, ending at the dot.
    const techSeries = chart.querySelector('[data-sector=technology]')!;
    expect(techSeries.querySelectorAll('.rrg-point')).toHaveLength(2);
    const path = techSeries.querySelector('.rrg-tail')!.getAttribute('d')!;
    expect(path.startsWith(`M${x(99.2).toFixed(1)} ${y(99.5).toFixed(1)}`)).toBe(true);
    expect(path.endsWith(`L${x(101.5306).toFixed(1)} ${y(100.3226).toFixed(1)}`)).toBe(true);
    expect(within(techSeries as HTMLElement).getByTestId('rrg-label')).toHaveTextContent('Tech');
    expect(techSeries.querySelector('title')).toHaveTextContent(
      'Technology: leading, RS-Ratio 101.53, RS-Momentum 100.32',
    );
    expect(chart).toHaveAccessibleName(/Energy: improving, RS-Ratio 98.10, RS-Momentum 102.80/);
    // Healthcare has no point: nothing drawn, its reason in the table.
    expect(chart.querySelector('[data-sector=healthcare]')).toBeNull();
  });

  it('lists the figures in a table, with why a sector has fewer points or none', async () => {
    fetchMock.mockImplementation(() => answer(makeRotationGraph()));
    render(<RotationPanel refreshKey="a" runId={null} labels={LABELS} onClose={() => {}} />);
    const rows = await screen.findAllByTestId('rrg-row');
    const cells = (row: HTMLElement) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent);
    expect(cells(rows[0]!)).toEqual([
      'TechnologyOnly 3 of 5 points: the first point needs 15 bars and 17 are held',
      '↗ Leading',
      '101.53',
      '100.32',
    ]);
    expect(cells(rows[1]!)).toEqual(['Energy', '↖ Improving', '98.10', '102.80']);
    expect(cells(rows[2]!)).toEqual([
      'HealthcareToo little data: 6 sessions of the sector and IWM, 15 needed for the first point',
      'No position',
    ]);
    expect(screen.getByTestId('rotation-summary')).toHaveTextContent(
      'Daily bars · RS-Ratio over 10, RS-Momentum over 5 sessions · tail from Nov 20 · 11:07 ET',
    );
    expect(screen.getByTestId('rrg-legend')).toHaveTextContent('Improving: still behind IWM, catching up');
  });

  it('asks for the 30-minute graph and a longer tail, keeps the choice, and asks again on a new run', async () => {
    fetchMock.mockImplementation((url) =>
      answer(makeRotationGraph({ interval: String(url).includes('30min') ? '30min' : 'day' })),
    );
    const { rerender } = render(<RotationPanel refreshKey="a" runId={null} labels={LABELS} onClose={() => {}} />);
    await screen.findAllByTestId('rrg-dot');
    expect(screen.getByTestId('rrg-interval-day')).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(screen.getByTestId('rrg-interval-30min'));
    await waitFor(() => expect(urls().at(-1)).toBe('/api/rrg?interval=30min&tail=5'));
    expect(await screen.findByTestId('rotation-summary')).toHaveTextContent('30 min bars');
    expect(screen.getByTestId('rrg-interval-30min')).toHaveAttribute('aria-pressed', 'true');
    fireEvent.change(screen.getByTestId('rrg-tail'), { target: { value: '12' } });
    await waitFor(() => expect(urls().at(-1)).toBe('/api/rrg?interval=30min&tail=12'));
    expect(JSON.parse(localStorage.getItem(ROTATION_CHOICE_KEY)!)).toEqual({ interval: '30min', tail: 12 });
    const asked = urls().length;
    rerender(<RotationPanel refreshKey="b" runId={null} labels={LABELS} onClose={() => {}} />);
    await waitFor(() => expect(urls()).toHaveLength(asked + 1));
    // A stored run on screen: its own graph.
    rerender(<RotationPanel refreshKey="b" runId="old-run" labels={LABELS} onClose={() => {}} />);
    await waitFor(() => expect(urls().at(-1)).toBe('/api/rrg?interval=30min&tail=12&run_id=old-run'));
  });

  it('says in words that there is no analysis yet, and shows other failures', async () => {
    fetchMock.mockImplementation(() =>
      answer({ detail: 'No analysis yet: the first run is in progress; try again once the grid is published.' }, 409),
    );
    const { unmount } = render(<RotationPanel refreshKey="a" runId={null} labels={LABELS} onClose={() => {}} />);
    expect(await screen.findByTestId('rotation-not-ready')).toHaveTextContent(
      'No analysis yet: the first run is in progress; try again once the grid is published. The graph fills in',
    );
    unmount();
    fetchMock.mockImplementation(() => answer({ detail: 'run_id: no successful run x' }, 404));
    render(<RotationPanel refreshKey="a" runId="x" labels={LABELS} onClose={() => {}} />);
    expect(await screen.findByTestId('rotation-error')).toHaveTextContent('Could not load the graph');
  });

  it('hides on its button', async () => {
    fetchMock.mockImplementation(() => answer(makeRotationGraph()));
    let closed = 0;
    render(<RotationPanel refreshKey="a" runId={null} labels={LABELS} onClose={() => (closed += 1)} />);
    await screen.findAllByTestId('rrg-dot');
    fireEvent.click(screen.getByTestId('rotation-close'));
    expect(closed).toBe(1);
  });
});
