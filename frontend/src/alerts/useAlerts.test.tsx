import { act, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SectorKey } from '../api/types';
import type { TimedMove, TimedSectorChange } from '../hooks/useSectors';
import { alertsOf, ALERT_FRESH_MS, titleWithAlerts, useAlerts } from './useAlerts';
import { ALERT_SETTINGS_KEY, reloadAlertSettings, updateAlertSettings } from './settings';

const NOW = 1_700_000_000_000;
const LABELS = { technology: 'Technology', healthcare: 'Healthcare' };

function change(sector: SectorKey, previous: TimedSectorChange['previous_color'], color: TimedSectorChange['color'], at = NOW) {
  return { sector, previous_color: previous, color, previous_score: 0, score: 0, at } as TimedSectorChange;
}

function move(symbol: string, at = NOW, sector: SectorKey = 'technology'): TimedMove {
  return { symbol, change_pct: 22.5, previous_close: 5, price: 6.13, direction: 'up', sector, at };
}

describe('alertsOf', () => {
  it.each([
    ['a colour change alerts', { technology: change('technology', 'blue_neutral', 'light_red') }, [], 1],
    ['a score change at the same colour does not', { technology: change('technology', 'light_red', 'light_red') }, [], 0],
    ['a change older than the freshness window does not', { technology: change('technology', 'blue_neutral', 'light_red', NOW - ALERT_FRESH_MS - 1) }, [], 0],
    ['a fresh move alerts', {}, [move('SOUN')], 1],
    ['a replayed old move does not', {}, [move('SOUN', NOW - 60_000)], 0],
  ] as const)('%s', (_name, changes, moves, count) => {
    expect(alertsOf(changes, moves, LABELS, NOW)).toHaveLength(count);
  });

  it('says the colours and the move in words', () => {
    const [sector, stock] = alertsOf(
      { technology: change('technology', 'blue_neutral', 'light_red') },
      [move('SOUN')],
      LABELS,
      NOW,
    );
    expect(sector!.title).toBe('Technology turned light red');
    expect(sector!.direction).toBe('down');
    expect(stock!.body).toBe('SOUN +22.5% at $6.13 (Technology)');
  });
});

describe('titleWithAlerts', () => {
  it.each([
    [0, '06:37 ET · SectorLights'],
    [3, '(3) 06:37 ET · SectorLights'],
  ])('%i unseen', (unseen, title) => {
    expect(titleWithAlerts('06:37 ET · SectorLights', unseen)).toBe(title);
  });
});

describe('useAlerts', () => {
  const notifications: string[] = [];
  let visibility: DocumentVisibilityState = 'visible';

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    localStorage.removeItem(ALERT_SETTINGS_KEY);
    reloadAlertSettings();
    notifications.length = 0;
    class FakeNotification {
      static permission = 'granted';
      constructor(title: string) {
        notifications.push(title);
      }
    }
    vi.stubGlobal('Notification', FakeNotification);
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  function Probe(props: { changes: Partial<Record<SectorKey, TimedSectorChange>>; moves: TimedMove[] }) {
    const unseen = useAlerts(props.changes, props.moves, LABELS);
    return <span data-testid="unseen">{unseen}</span>;
  }

  it('notifies only when opted in, never for a muted sector or symbol, once per event', () => {
    const { rerender, getByTestId } = render(<Probe changes={{}} moves={[move('SOUN')]} />);
    expect(notifications).toEqual([]);
    act(() => updateAlertSettings((s) => ({ ...s, notify: true, mutedSymbols: ['BBAI'], mutedSectors: ['energy'] })));
    const moves = [move('ACME'), move('BBAI'), move('XOM', NOW, 'energy')];
    rerender(<Probe changes={{}} moves={moves} />);
    rerender(<Probe changes={{}} moves={[...moves]} />);
    expect(notifications).toEqual(['ACME +22.5%']);
    expect(getByTestId('unseen')).toHaveTextContent('0');
  });

  it('keeps alerting colour changes while the moves strip mutes moves', () => {
    act(() => updateAlertSettings((s) => ({ ...s, notify: true, mutedMoves: true })));
    render(<Probe changes={{ technology: change('technology', 'blue_neutral', 'light_red') }} moves={[move('SOUN')]} />);
    expect(notifications).toEqual(['Technology turned light red']);
  });

  it('counts alerts that arrive while the tab is hidden until it is seen again', () => {
    visibility = 'hidden';
    const { rerender, getByTestId } = render(<Probe changes={{}} moves={[]} />);
    rerender(<Probe changes={{ technology: change('technology', 'blue_neutral', 'light_red') }} moves={[move('SOUN')]} />);
    expect(getByTestId('unseen')).toHaveTextContent('2');
    rerender(<Probe changes={{}} moves={[move('ACME'), move('SOUN')]} />);
    expect(getByTestId('unseen')).toHaveTextContent('3');
    visibility = 'visible';
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(getByTestId('unseen')).toHaveTextContent('0');
  });
});
