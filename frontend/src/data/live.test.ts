import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { SectorsResponse } from '../api/types';
import { makeResponse, makeSector } from '../test/fixtures';
import { backoffDelay, createLiveSource, type LiveSourceOptions, type WebSocketLike } from './live';
import { INITIAL_SECTORS_STATE, MAX_MOVES, reduceSectors } from '../hooks/useSectors';
import type { SourceEvent } from './source';

class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  closed = false;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
    FakeSocket.instances.push(this);
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.onopen?.({});
  }

  fail(): void {
    this.onerror?.({});
    this.onclose?.({});
  }

  send(type: string, seq: number, payload: unknown): void {
    this.onmessage?.({ data: JSON.stringify({ type, seq, ts: '2026-11-24T11:40:00+00:00', payload }) });
  }
}

const URL = 'ws://test.local/ws';

function last(): FakeSocket {
  const socket = FakeSocket.instances.at(-1);
  if (!socket) throw new Error('no socket');
  return socket;
}

function setup(overrides: Partial<LiveSourceOptions> = {}) {
  const fetcher = vi
    .fn<(signal: AbortSignal) => Promise<SectorsResponse>>()
    .mockResolvedValue(makeResponse({ run_id: 'http' }));
  const events: SourceEvent[] = [];
  const source = createLiveSource({
    url: URL,
    WebSocket: FakeSocket,
    fetcher,
    jitter: (ms) => ms,
    ...overrides,
  });
  const stop = source.subscribe((event) => events.push(event));
  const ofKind = <K extends SourceEvent['kind']>(kind: K) =>
    events.filter((event): event is Extract<SourceEvent, { kind: K }> => event.kind === kind);
  const lastData = () => ofKind('data').at(-1)?.data;
  return { source, stop, events, fetcher, ofKind, lastData };
}

function connectWithSnapshot(seq = 10, grid: SectorsResponse | null = makeResponse()): FakeSocket {
  const socket = last();
  socket.open();
  socket.send('snapshot', seq, { grid });
  return socket;
}

const update = (overrides: Record<string, unknown> = {}) => ({
  sector: 'technology',
  score: -0.55,
  color: 'dark_red',
  signal: 'PRIME_SHORTING_ENVIRONMENT',
  confidence: 0.4,
  previous_color: 'dark_green',
  previous_score: 0.62,
  run_id: 'run2',
  as_of: '2026-11-24T11:45:00+00:00',
  ...overrides,
});

describe('createLiveSource', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects to the URL and applies a snapshot', () => {
    const { ofKind, lastData, stop } = setup();
    expect(last().url).toBe(URL);
    expect(ofKind('connection')).toEqual([{ kind: 'connection', state: 'connecting', attempt: 0 }]);

    const grid = makeResponse({ run_id: 'snap' });
    connectWithSnapshot(10, grid);
    expect(ofKind('connection').at(-1)).toEqual({ kind: 'connection', state: 'connected', attempt: 0 });
    expect(lastData()).toEqual(grid);
    stop();
    expect(last().closed).toBe(true);
  });

  it('reports not-ready when the snapshot grid is null', () => {
    const { ofKind } = setup();
    connectWithSnapshot(0, null);
    const error = ofKind('error').at(-1)?.error;
    expect(error).toBeInstanceOf(ApiError);
    expect(error?.notReady).toBe(true);
    expect(ofKind('data')).toHaveLength(0);
  });

  it('with no grid yet, polls every few seconds until the first run, and stops once it has one', async () => {
    const notReady = new ApiError('No analysis yet', 503);
    const { fetcher, lastData } = setup({ fallbackNotReadyMs: 3_000 });
    fetcher.mockRejectedValue(notReady);
    const socket = connectWithSnapshot(0, null);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(fetcher).toHaveBeenCalledTimes(2);
    const grid = makeResponse({ run_id: 'first' });
    fetcher.mockResolvedValue(grid);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(lastData()).toEqual(grid);
    const calls = fetcher.mock.calls.length;
    // The socket is up: the grid's changes come over it, not by polling (past a poll interval,
    // short of the heartbeat timeout).
    socket.send('heartbeat', 0, {});
    await vi.advanceTimersByTimeAsync(40_000);
    expect(fetcher).toHaveBeenCalledTimes(calls);
  });

  it.each([
    ['sector_update', { run_id: 'run2', as_of: '2026-11-24T11:45:00+00:00', sectors: [update()] }],
    [
      'top_stocks_change',
      {
        run_id: 'run2',
        as_of: '2026-11-24T11:45:00+00:00',
        changes: [{ sector: 'technology', side: 'bullish', symbols: [], entered: [], left: [], stocks: [] }],
      },
    ],
  ])('a %s after a snapshot without a grid fetches the run\'s grid at once', async (type, payload) => {
    const { fetcher, lastData } = setup({ fallbackNotReadyMs: 60_000 });
    fetcher.mockRejectedValue(new ApiError('No analysis yet', 503));
    const socket = connectWithSnapshot(0, null);
    await vi.advanceTimersByTimeAsync(0);
    const grid = makeResponse({ run_id: 'run2' });
    fetcher.mockResolvedValue(grid);
    socket.send(type, 1, payload);
    await vi.advanceTimersByTimeAsync(0);
    expect(lastData()).toEqual(grid);
  });

  it('merges sector_update into the grid and emits a change event', () => {
    const { ofKind, lastData } = setup();
    const socket = connectWithSnapshot(10);
    socket.send('sector_update', 11, {
      run_id: 'run2',
      as_of: '2026-11-24T11:45:00+00:00',
      sectors: [update()],
    });

    const data = lastData();
    expect(data?.run_id).toBe('run2');
    expect(data?.as_of).toBe('2026-11-24T11:45:00+00:00');
    const tech = data?.sectors.find((s) => s.sector === 'technology');
    expect(tech).toMatchObject({
      score: -0.55,
      color: 'dark_red',
      signal: 'PRIME_SHORTING_ENVIRONMENT',
      confidence: 0.4,
      label: 'Technology',
      stock_count: 212,
    });
    // other sectors untouched
    expect(data?.sectors.find((s) => s.sector === 'energy')).toEqual(makeSector('energy'));
    expect(ofKind('change')).toEqual([
      {
        kind: 'change',
        as_of: '2026-11-24T11:45:00+00:00',
        sectors: [
          { sector: 'technology', previous_color: 'dark_green', color: 'dark_red', previous_score: 0.62, score: -0.55 },
        ],
      },
    ]);
  });

  it('carries a sector_update’s rotation quadrants onto the card, and keeps them for an event without', () => {
    const { lastData } = setup();
    const socket = connectWithSnapshot(10);
    const rotation = { day: 'weakening', intraday: 'improving' };
    socket.send('sector_update', 11, { run_id: 'run2', as_of: 'x', sectors: [update({ rotation })] });
    expect(lastData()?.sectors.find((s) => s.sector === 'technology')?.rotation).toEqual(rotation);
    socket.send('sector_update', 12, { run_id: 'run3', as_of: 'y', sectors: [update({ score: 0.1 })] });
    expect(lastData()?.sectors.find((s) => s.sector === 'technology')?.rotation).toEqual(rotation);
  });

  it('marks only the cards whose colour changed or score moved meaningfully, but updates every figure', () => {
    const { ofKind, lastData } = setup();
    const socket = connectWithSnapshot(10);
    socket.send('sector_update', 11, {
      run_id: 'run2',
      as_of: '2026-11-24T11:45:00+00:00',
      sectors: [
        // The figures every run nudges: same colour, a score a few thousandths off.
        ...(['healthcare', 'energy', 'financials', 'industrials', 'materials', 'utilities'] as const).map((sector) =>
          update({ sector, color: 'blue_neutral', previous_color: 'blue_neutral', score: 0.013, previous_score: 0.011 }),
        ),
        update({ sector: 'technology' }),
        update({ sector: 'consumer_discretionary', color: 'light_green', previous_color: 'light_green', score: 0.5, previous_score: 0.3 }),
      ],
    });
    expect(ofKind('change').at(-1)?.sectors.map((change) => change.sector)).toEqual([
      'technology',
      'consumer_discretionary',
    ]);
    expect(lastData()?.sectors.find((sector) => sector.sector === 'energy')?.score).toBe(0.013);
  });

  it('badges NEW only names that entered with a real move', () => {
    const { ofKind } = setup();
    const socket = connectWithSnapshot(10);
    const stocks = [
      { symbol: 'BIG', name: 'Big', change_pct: 6.2, relative_volume: 2, rank_score: 5 },
      { symbol: 'TINY', name: 'Tiny', change_pct: 0.2, relative_volume: 1, rank_score: 1 },
      { symbol: 'DOWN', name: 'Down', change_pct: -0.2, relative_volume: 1, rank_score: 1 },
    ];
    socket.send('top_stocks_change', 11, {
      run_id: 'run2',
      as_of: '2026-11-24T11:45:00+00:00',
      changes: [{ sector: 'energy', side: 'bullish', symbols: ['BIG', 'TINY', 'DOWN'], entered: ['BIG', 'TINY', 'DOWN'], left: [], stocks }],
    });
    expect(ofKind('lists').at(-1)?.changes[0]?.entered).toEqual(['BIG']);
  });

  it('replaces the side list on top_stocks_change and tells which names entered and left', () => {
    const { lastData, ofKind } = setup();
    const socket = connectWithSnapshot(10);
    const stocks = [{ symbol: 'NEW', name: 'New Co', change_pct: -4.1, relative_volume: 1.8, rank_score: 4.0 }];
    socket.send('top_stocks_change', 11, {
      run_id: 'run2',
      as_of: '2026-11-24T11:45:00+00:00',
      changes: [
        { sector: 'energy', side: 'bearish', symbols: ['NEW'], entered: ['NEW'], left: [], stocks, run_id: 'run2', as_of: '2026-11-24T11:45:00+00:00' },
        { sector: 'technology', side: 'bullish', symbols: [], entered: [], left: ['SOUN', 'BBAI'], stocks: [], run_id: 'run2', as_of: '2026-11-24T11:45:00+00:00' },
      ],
    });
    const data = lastData();
    const energy = data?.sectors.find((s) => s.sector === 'energy');
    expect(energy?.top_bearish).toEqual(stocks);
    expect(energy?.top_bullish).toEqual(makeSector('energy').top_bullish);
    expect(data?.sectors.find((s) => s.sector === 'technology')?.top_bullish).toEqual([]);
    // The names that left are handed on as the page last drew them, so they can fade out.
    expect(ofKind('lists')).toEqual([
      {
        kind: 'lists',
        changes: [
          { sector: 'energy', side: 'bearish', entered: ['NEW'], left: [] },
          { sector: 'technology', side: 'bullish', entered: [], left: makeSector('technology').top_bullish },
        ],
      },
    ]);
  });

  it('a snapshot brings no top-list transitions', () => {
    const { ofKind } = setup();
    const socket = connectWithSnapshot(10);
    socket.send('snapshot', 12, { grid: makeResponse({ run_id: 'later' }) });
    expect(ofKind('data')).toHaveLength(2);
    expect(ofKind('lists')).toEqual([]);
  });

  it('emits progress and significant moves', () => {
    const { ofKind } = setup();
    const socket = connectWithSnapshot(10);
    socket.send('analysis_progress', 11, { run_id: 'r', trigger: 'schedule', stage: 'scoring', percent: 60 });
    socket.send('analysis_progress', 12, { run_id: 'r', trigger: 'schedule', stage: 'failed', percent: 100, error: 'boom' });
    const move = { symbol: 'SOUN', change_pct: 7.5, previous_close: 10, price: 10.75, direction: 'up', sector: 'technology' };
    socket.send('significant_move', 13, move);
    expect(ofKind('progress')).toEqual([
      { kind: 'progress', run_id: 'r', stage: 'scoring', percent: 60 },
      { kind: 'progress', run_id: 'r', stage: 'failed', percent: 100, error: 'boom' },
    ]);
    expect(ofKind('move')).toEqual([{ kind: 'move', move }]);
  });

  it("hands on a snapshot's recent moves with their ages on the server clock", () => {
    const { ofKind } = setup();
    const socket = last();
    socket.open();
    const move = { symbol: 'SOUN', change_pct: -21.5, previous_close: 10, price: 7.85, direction: 'down', sector: 'technology' };
    // The envelope is stamped 11:40:00; the move 3 minutes earlier.
    socket.send('snapshot', 10, { grid: makeResponse(), moves: [{ ts: '2026-11-24T11:37:00+00:00', ...move }] });
    expect(ofKind('moves')).toEqual([{ kind: 'moves', moves: [{ move, ageMs: 180_000 }] }]);
    // A snapshot without the field (an older server) leaves the moves alone.
    socket.send('snapshot', 11, { grid: makeResponse() });
    expect(ofKind('moves')).toHaveLength(1);
  });

  it('ignores events with seq <= last applied, but not snapshots or heartbeats', () => {
    const { ofKind, lastData } = setup();
    const socket = connectWithSnapshot(10);
    socket.send('sector_update', 10, { run_id: 'old', as_of: 'x', sectors: [update({ score: 0.1 })] });
    socket.send('sector_update', 9, { run_id: 'old', as_of: 'x', sectors: [update({ score: 0.1 })] });
    expect(ofKind('change')).toHaveLength(0);
    expect(lastData()?.run_id).toBe('3f2a9c');

    socket.send('sector_update', 11, { run_id: 'run2', as_of: 'y', sectors: [update()] });
    socket.send('sector_update', 11, { run_id: 'dup', as_of: 'z', sectors: [update({ score: 0.9 })] });
    expect(ofKind('change')).toHaveLength(1);
    expect(lastData()?.run_id).toBe('run2');

    socket.send('heartbeat', 11, { clients: 1, latest_seq: 11 });
    const snap = makeResponse({ run_id: 'resnap' });
    socket.send('snapshot', 5, { grid: snap });
    expect(lastData()).toEqual(snap);
    // after a snapshot the seq baseline is the snapshot's seq
    socket.send('significant_move', 6, { symbol: 'A', change_pct: 5, previous_close: 1, price: 1.05, direction: 'up', sector: null });
    expect(ofKind('move')).toHaveLength(1);
  });

  it('ignores malformed messages', () => {
    const { events } = setup();
    const socket = connectWithSnapshot(10);
    const before = events.length;
    socket.onmessage?.({ data: 'not json' });
    socket.onmessage?.({ data: JSON.stringify({ type: 'sector_update' }) });
    expect(events.length).toBe(before);
  });

  it('reconnects with ?since=<last seq> after the connection drops', async () => {
    const { ofKind } = setup();
    const socket = connectWithSnapshot(10);
    socket.send('sector_update', 11, { run_id: 'run2', as_of: 'y', sectors: [update()] });
    socket.fail();
    expect(ofKind('connection').at(-1)).toEqual({ kind: 'connection', state: 'reconnecting', attempt: 1 });

    expect(FakeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(last().url).toBe(`${URL}?since=11`);
    last().open();
    expect(ofKind('connection').at(-1)).toEqual({ kind: 'connection', state: 'connected', attempt: 0 });
  });

  it('backs off 1 s, 2 s, 4 s … up to 30 s, through the injected jitter', async () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);

    setup();
    const expected = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    for (const delay of expected) {
      const count = FakeSocket.instances.length;
      last().fail();
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(FakeSocket.instances).toHaveLength(count);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeSocket.instances).toHaveLength(count + 1);
    }

    FakeSocket.instances = [];
    const jitter = vi.fn((ms: number) => ms / 2);
    setup({ jitter });
    last().fail();
    expect(jitter).toHaveBeenCalledWith(1_000);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('treats 45 s without a heartbeat as a dead connection', async () => {
    const { ofKind } = setup();
    const socket = connectWithSnapshot(10);
    await vi.advanceTimersByTimeAsync(30_000);
    socket.send('heartbeat', 10, { clients: 1, latest_seq: 10 });
    await vi.advanceTimersByTimeAsync(44_999);
    expect(socket.closed).toBe(false);
    expect(FakeSocket.instances).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closed).toBe(true);
    expect(ofKind('connection').at(-1)).toEqual({ kind: 'connection', state: 'reconnecting', attempt: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(last().url).toBe(`${URL}?since=10`);
  });

  it('falls back to HTTP after the first failure and reports offline after 5, still retrying', async () => {
    const { ofKind, fetcher, lastData } = setup();
    last().fail();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(lastData()?.run_id).toBe('http');

    for (let n = 2; n <= 5; n += 1) {
      await vi.advanceTimersByTimeAsync(backoffDelay(n - 1));
      last().fail();
    }
    const states = ofKind('connection').map((e) => `${e.state}:${e.attempt}`);
    expect(states).toEqual([
      'connecting:0',
      'reconnecting:1',
      'reconnecting:2',
      'reconnecting:3',
      'reconnecting:4',
      'offline:5',
    ]);
    // fallback keeps polling at its 30 s cadence while disconnected (1+2+4+8 = 15 s elapsed so far)
    expect(fetcher).toHaveBeenCalledTimes(1);

    const count = FakeSocket.instances.length;
    await vi.advanceTimersByTimeAsync(16_000);
    expect(FakeSocket.instances).toHaveLength(count + 1);
    expect(fetcher).toHaveBeenCalledTimes(2);

    // once connected again the fallback stops
    last().open();
    await vi.advanceTimersByTimeAsync(40_000);
    expect(fetcher).toHaveBeenCalledTimes(2);
  });

  it('reports HTTP fallback errors as error events', async () => {
    const fetcher = vi
      .fn<(signal: AbortSignal) => Promise<SectorsResponse>>()
      .mockRejectedValue(new TypeError('Failed to fetch'));
    const { ofKind } = setup({ fetcher });
    last().fail();
    await vi.advanceTimersByTimeAsync(0);
    expect(ofKind('error').at(-1)?.error.status).toBeNull();
  });

  it('refresh() closes the socket and reconnects without since', () => {
    const { source, ofKind } = setup();
    const socket = connectWithSnapshot(42);
    source.refresh();
    expect(socket.closed).toBe(true);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(last().url).toBe(URL);
    expect(ofKind('connection').at(-1)).toEqual({ kind: 'connection', state: 'connecting', attempt: 0 });
    // the old socket's late events are ignored
    socket.send('significant_move', 43, { symbol: 'A', change_pct: 5, previous_close: 1, price: 1.05, direction: 'up', sector: null });
    expect(ofKind('move')).toHaveLength(0);
  });

  it('stops everything on unsubscribe', async () => {
    const { stop, events, fetcher } = setup();
    last().fail();
    await vi.advanceTimersByTimeAsync(0);
    stop();
    const count = events.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(events.length).toBe(count);
  });
});

describe('reduceSectors (useSectors state) with live events', () => {
  it('tracks connection, progress, the last change map and the last MAX_MOVES moves', () => {
    let state = reduceSectors(INITIAL_SECTORS_STATE, {
      event: { kind: 'connection', state: 'reconnecting', attempt: 2 },
      at: 1,
    });
    expect(state.connection).toEqual({ state: 'reconnecting', attempt: 2 });
    expect(state.loading).toBe(true);

    state = reduceSectors(state, {
      event: { kind: 'progress', run_id: 'r', stage: 'fetching', percent: 20 },
      at: 2,
    });
    expect(state.progress).toEqual({ run_id: 'r', stage: 'fetching', percent: 20 });

    const change = { sector: 'energy' as const, previous_color: 'blue_neutral' as const, color: 'dark_red' as const, previous_score: 0, score: -0.6 };
    state = reduceSectors(state, { event: { kind: 'change', as_of: 'T1', sectors: [change] }, at: 3 });
    expect(state.changes).toEqual({ energy: { ...change, at: 3 } });
    state = reduceSectors(state, {
      event: { kind: 'change', as_of: 'T2', sectors: [{ ...change, sector: 'utilities' }] },
      at: 4,
    });
    expect(Object.keys(state.changes)).toEqual(['utilities']);
    // The analysis time of each sector's last change accumulates across updates.
    expect(state.changedAsOf).toEqual({ energy: 'T1', utilities: 'T2' });

    for (let i = 0; i < MAX_MOVES + 2; i += 1) {
      state = reduceSectors(state, {
        event: { kind: 'move', move: { symbol: `S${i}`, change_pct: 5, previous_close: 1, price: 1.05, direction: 'up', sector: 'energy' } },
        at: 10 + i,
      });
    }
    expect(state.moves).toHaveLength(MAX_MOVES);
    expect(state.moves[0]).toMatchObject({ symbol: `S${MAX_MOVES + 1}`, at: 11 + MAX_MOVES });

    // A snapshot's moves replace them, dated back by their age.
    const snapMove = { symbol: 'SNAP', change_pct: -20, previous_close: 1, price: 0.8, direction: 'down' as const, sector: 'energy' as const };
    state = reduceSectors(state, { event: { kind: 'moves', moves: [{ move: snapMove, ageMs: 5 }] }, at: 25 });
    expect(state.moves).toEqual([{ ...snapMove, at: 20 }]);

    const data = makeResponse();
    state = reduceSectors(state, { event: { kind: 'data', data }, at: 30 });
    expect(state).toMatchObject({ data, error: null, loading: false, connection: { state: 'reconnecting', attempt: 2 } });
  });

  it('marks NEW only the names a top_stocks_change says entered, and ticks moved changes from the grids', () => {
    const before = makeResponse();
    let state = reduceSectors(INITIAL_SECTORS_STATE, { event: { kind: 'data', data: before }, at: 1 });
    expect(state.lists).toEqual({});
    const soun = makeSector('technology').top_bullish[0]!;
    const left = makeSector('technology').top_bullish[1]!;
    state = reduceSectors(state, {
      event: { kind: 'lists', changes: [{ sector: 'technology', side: 'bullish', entered: ['ACME'], left: [left] }] },
      at: 2,
    });
    const acme = { symbol: 'ACME', name: 'Acme', change_pct: 3, relative_volume: 1, rank_score: 2 };
    const after = {
      ...before,
      sectors: before.sectors.map((card) =>
        card.sector === 'technology' ? { ...card, top_bullish: [{ ...soun, change_pct: 9.9 }, acme] } : card,
      ),
    };
    state = reduceSectors(state, { event: { kind: 'data', data: after }, at: 2 });
    const timeline = state.lists.technology?.bullish;
    expect([...(timeline?.entered ?? [])]).toEqual([['ACME', 2]]);
    expect(timeline?.left).toEqual([{ stock: left, at: 2 }]);
    expect([...(timeline?.ticks ?? [])]).toEqual([['SOUN', { tick: 'up', at: 2 }]]);
    expect(Object.keys(state.lists)).toEqual(['technology']);
  });

});

describe('createLiveSource with tickets', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens each connection with a fresh ticket, never the token, and retries when none comes', async () => {
    const tickets = ['t-1', 't-2'];
    const ticket = vi.fn(() => {
      const next = tickets.shift();
      return next ? Promise.resolve(next) : Promise.reject(new ApiError('401', 401));
    });
    const { stop } = setup({ ticket });
    expect(FakeSocket.instances).toHaveLength(0); // waits for the ticket
    await vi.advanceTimersByTimeAsync(0);
    expect(last().url).toBe(`${URL}?ticket=t-1`);
    connectWithSnapshot(7);
    last().fail();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(last().url).toBe(`${URL}?since=7&ticket=t-2`);
    last().fail();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ticket).toHaveBeenCalledTimes(3);
    expect(FakeSocket.instances).toHaveLength(2); // no ticket, no socket: retried later
    stop();
  });

  it('drops a ticket that arrives after the source stopped', async () => {
    let resolve: (value: string) => void = () => {};
    const { stop } = setup({ ticket: () => new Promise<string>((done) => (resolve = done)) });
    stop();
    resolve('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.instances).toHaveLength(0);
  });
});

