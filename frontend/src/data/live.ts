import { ApiError, fetchSectors, isRecord } from '../api/client';
import { fetchWsTicket } from '../api/session';
import { storedToken } from '../api/token';
import type {
  LiveMessage,
  SectorChange,
  SectorResult,
  SectorsResponse,
  SectorUpdates,
  TopStocksChanges,
} from '../api/types';
import {
  createPollingSource,
  NOT_READY_RETRY_MS,
  POLL_INTERVAL_MS,
  type ConnectionStatus,
  type SectorsSource,
  type SourceEvent,
  type SourceListener,
  type TopListTransition,
} from './source';

export const WS_PATH = '/ws';
export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
/** Three missed 15 s heartbeats. */
export const HEARTBEAT_TIMEOUT_MS = 45_000;
export const OFFLINE_AFTER_FAILURES = 5;
/** A score move (on the −1…+1 scale; a colour band is 0.4 wide) that marks a card as changed even
 * when its colour stayed: smaller ones come with every run and would mark every card. */
export const MEANINGFUL_SCORE_CHANGE = 0.1;
/** The smallest move (percent) of a name that entered a top list for it to be badged NEW: on a quiet
 * day the lists reshuffle among names barely moving, which is no news. */
export const NEW_MIN_CHANGE_PCT = 1;

// ---- injectable environment ---------------------------------------------------------

/** The part of the browser WebSocket the live source uses. */
export interface WebSocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = new (url: string) => WebSocketLike;

export interface LiveTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LiveSourceOptions {
  /** Full ws:// or wss:// URL without query; default: same origin as `location`, path /ws. */
  url?: string;
  /** Default: `globalThis.WebSocket`. */
  WebSocket?: WebSocketFactory;
  /** A single-use ticket for the next connection (`?ticket=`); null (connect at once, no ticket)
   * when none is needed. Default: `fetchWsTicket` while the tab holds a token, else null. A failure
   * counts as a failed connection. */
  ticket?: () => Promise<string | null> | null;
  /** HTTP fallback while the socket is down; default `fetchSectors`. */
  fetcher?: (signal: AbortSignal) => Promise<SectorsResponse>;
  /** Default: the global setTimeout/clearTimeout (so vitest fake timers apply). */
  timers?: LiveTimers;
  /** Maps the nominal backoff delay to the real one; default ±20 % random. */
  jitter?: (delayMs: number) => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  heartbeatTimeoutMs?: number;
  /** Consecutive failures after which the state is 'offline' (retries continue). */
  offlineAfter?: number;
  /** Cadence of the HTTP fallback while disconnected (503: `fallbackNotReadyMs`). */
  fallbackIntervalMs?: number;
  fallbackNotReadyMs?: number;
}

export interface LiveSource extends SectorsSource {
  /** Drops the current connection(s) and reconnects from scratch (no `since`, fresh snapshot). */
  refresh(): void;
}

export function defaultLiveUrl(): string {
  const loc = globalThis.location;
  if (!loc) return `ws://localhost${WS_PATH}`;
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}${WS_PATH}`;
}

export function defaultJitter(delayMs: number): number {
  return Math.round(delayMs * (0.8 + Math.random() * 0.4));
}

/** Nominal delay before retry number `failures` (1-based): 1 s, 2 s, 4 s … capped. */
export function backoffDelay(failures: number, baseMs = RECONNECT_BASE_MS, maxMs = RECONNECT_MAX_MS): number {
  const exp = Math.max(0, failures - 1);
  return Math.min(maxMs, baseMs * 2 ** Math.min(exp, 30));
}

// ---- pure grid reducers (exported for reuse/tests) --------------------------------------

/** Merges score/color/signal/confidence of each updated sector into `grid`. */
export function applySectorUpdate(
  grid: SectorsResponse,
  payload: SectorUpdates,
): SectorsResponse {
  const byKey = new Map(payload.sectors.map((entry) => [entry.sector, entry]));
  const sectors = grid.sectors.map((sector): SectorResult => {
    const entry = byKey.get(sector.sector);
    if (!entry) return sector;
    return {
      ...sector,
      score: entry.score,
      color: entry.color,
      signal: entry.signal,
      confidence: entry.confidence,
      insufficient_data: entry.insufficient_data,
      // An event from before the rotation graph existed leaves the card's quadrants as they were.
      rotation: entry.rotation ?? sector.rotation,
    };
  });
  return { ...grid, run_id: payload.run_id, as_of: payload.as_of, sectors };
}

/**
 * The entries and exits of a `top_stocks_change`, each name that left as `grid` (the grid before
 * the change) last showed it; a name the page never drew has nothing to fade out.
 */
export function topListTransitions(grid: SectorsResponse | null, payload: TopStocksChanges): TopListTransition[] {
  return payload.changes.map(({ sector, side, entered, left, stocks }) => {
    const card = grid?.sectors.find((candidate) => candidate.sector === sector);
    const shown = (side === 'bullish' ? card?.top_bullish : card?.top_bearish) ?? [];
    const moving = new Set(
      stocks.filter((stock) => Math.abs(stock.change_pct) >= NEW_MIN_CHANGE_PCT).map((stock) => stock.symbol),
    );
    return {
      sector,
      side,
      entered: entered.filter((symbol) => moving.has(symbol)),
      left: shown.filter((stock) => left.includes(stock.symbol)),
    };
  });
}

/** A sector's update worth marking its card: its colour changed, or its score moved meaningfully
 * (the server also sends the small score moves every run brings, for the figures). */
export function isNotableChange(change: SectorChange): boolean {
  if (change.previous_color === null || change.previous_color === undefined) return false;
  if (change.previous_color !== change.color) return true;
  const before = change.previous_score;
  return before !== null && before !== undefined && Math.abs(change.score - before) >= MEANINGFUL_SCORE_CHANGE;
}

/** Replaces the changed side lists (`top_bullish` / `top_bearish`). */
export function applyTopStocksChange(
  grid: SectorsResponse,
  payload: TopStocksChanges,
): SectorsResponse {
  const sectors = grid.sectors.map((sector): SectorResult => {
    let next = sector;
    for (const change of payload.changes) {
      if (change.sector !== sector.sector) continue;
      next =
        change.side === 'bullish'
          ? { ...next, top_bullish: change.stocks }
          : { ...next, top_bearish: change.stocks };
    }
    return next;
  });
  return { ...grid, run_id: payload.run_id, as_of: payload.as_of, sectors };
}

function parseMessage(raw: unknown): LiveMessage | null {
  if (typeof raw !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(value) || typeof value.type !== 'string' || !isRecord(value.payload)) return null;
  if (typeof value.seq !== 'number') return null;
  return value as unknown as LiveMessage;
}

// ---- the source ----------------------------------------------------------------------

interface Session {
  refresh(): void;
}

/**
 * SectorsSource over the `/ws` WebSocket. Each subscription owns one connection: it keeps
 * the latest grid, applies pushed events, reconnects with exponential backoff using
 * `?since=<last seq>`, and while the socket is down polls `/api/sectors` over HTTP
 * (first fetch right after the first failure) so the grid still shows.
 */
export function createLiveSource(options: LiveSourceOptions = {}): LiveSource {
  const {
    url = defaultLiveUrl(),
    ticket = () => (storedToken() === null ? null : fetchWsTicket()),
    fetcher = fetchSectors,
    timers = {
      setTimeout: (cb: () => void, ms: number) => globalThis.setTimeout(cb, ms),
      clearTimeout: (handle: unknown) =>
        globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    jitter = defaultJitter,
    baseDelayMs = RECONNECT_BASE_MS,
    maxDelayMs = RECONNECT_MAX_MS,
    heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS,
    offlineAfter = OFFLINE_AFTER_FAILURES,
    fallbackIntervalMs = POLL_INTERVAL_MS,
    fallbackNotReadyMs = NOT_READY_RETRY_MS,
  } = options;

  const sessions = new Set<Session>();

  function start(listener: SourceListener): () => void {
    const WS = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory | undefined);
    let stopped = false;
    let socket: WebSocketLike | null = null;
    let grid: SectorsResponse | null = null;
    let lastSeq: number | null = null;
    let failures = 0;
    let retryTimer: unknown = null;
    let watchdog: unknown = null;
    let stopFallback: (() => void) | null = null;
    let lastStatus: ConnectionStatus | null = null;
    // The socket is open (its snapshot may still be on the way).
    let connected = false;
    // Bumped by every connect and drop, so a ticket that arrives for an abandoned attempt is unused.
    let attempt = 0;

    const emit = (event: SourceEvent): void => {
      if (!stopped) listener(event);
    };

    const setStatus = (status: ConnectionStatus): void => {
      if (lastStatus && lastStatus.state === status.state && lastStatus.attempt === status.attempt) {
        return;
      }
      lastStatus = status;
      emit({ kind: 'connection', ...status });
    };

    const clearRetry = (): void => {
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      retryTimer = null;
    };

    const clearWatchdog = (): void => {
      if (watchdog !== null) timers.clearTimeout(watchdog);
      watchdog = null;
    };

    const armWatchdog = (): void => {
      clearWatchdog();
      watchdog = timers.setTimeout(() => {
        watchdog = null;
        // No heartbeat (or any message) for too long: consider the socket dead.
        dropSocket();
        handleFailure();
      }, heartbeatTimeoutMs);
    };

    const startFallback = (): void => {
      if (stopFallback) return;
      stopFallback = createPollingSource({
        fetcher,
        intervalMs: fallbackIntervalMs,
        notReadyRetryMs: fallbackNotReadyMs,
      }).subscribe((event) => {
        if (event.kind === 'data') {
          grid = event.data;
          // Polled only for the first grid while the socket is up: the socket carries the rest.
          if (connected) endFallback();
        }
        emit(event);
      });
    };

    /** Fetch the grid over HTTP now (and every few seconds while there is none): the socket sends
     * only changes, which need a grid to apply to. */
    const fetchGridNow = (): void => {
      endFallback();
      startFallback();
    };

    const endFallback = (): void => {
      stopFallback?.();
      stopFallback = null;
    };

    const dropSocket = (): void => {
      attempt += 1;
      connected = false;
      clearWatchdog();
      const current = socket;
      socket = null;
      if (!current) return;
      current.onopen = null;
      current.onmessage = null;
      current.onerror = null;
      current.onclose = null;
      try {
        current.close();
      } catch {
        // already closed
      }
    };

    const handleFailure = (): void => {
      if (stopped) return;
      failures += 1;
      if (failures === 1) startFallback();
      setStatus({
        state: failures >= offlineAfter ? 'offline' : 'reconnecting',
        attempt: failures,
      });
      clearRetry();
      const delay = Math.max(0, jitter(backoffDelay(failures, baseDelayMs, maxDelayMs)));
      retryTimer = timers.setTimeout(() => {
        retryTimer = null;
        connect();
      }, delay);
    };

    const handleMessage = (message: LiveMessage): void => {
      armWatchdog();
      switch (message.type) {
        case 'heartbeat':
          return;
        case 'snapshot': {
          lastSeq = message.seq;
          const next = message.payload.grid;
          if (next) {
            grid = next;
            endFallback();
            emit({ kind: 'data', data: next });
          } else if (!grid) {
            emit({
              kind: 'error',
              error: new ApiError('No analysis yet — waiting for the first run', 503),
            });
            // The page says it checks again every few seconds: it does, until the first grid.
            startFallback();
          }
          const { moves } = message.payload;
          if (moves) {
            // Ages on the server's clock, which may be simulated and far from the browser's.
            const serverNow = Date.parse(message.ts);
            emit({
              kind: 'moves',
              moves: moves.map(({ ts, ...move }) => ({ move, ageMs: Math.max(0, serverNow - Date.parse(ts) || 0) })),
            });
          }
          return;
        }
        default:
          break;
      }
      if (lastSeq !== null && message.seq <= lastSeq) return;
      lastSeq = message.seq;
      switch (message.type) {
        case 'sector_update': {
          const { payload } = message;
          if (grid) {
            grid = applySectorUpdate(grid, payload);
            emit({ kind: 'data', data: grid });
          } else {
            // The first run finished after the snapshot (which had no grid): read its grid.
            fetchGridNow();
          }
          const sectors: SectorChange[] = payload.sectors
            .map((entry) => ({
              sector: entry.sector,
              previous_color: entry.previous_color,
              color: entry.color,
              previous_score: entry.previous_score,
              score: entry.score,
            }))
            .filter(isNotableChange);
          if (sectors.length > 0) emit({ kind: 'change', as_of: payload.as_of, sectors });
          return;
        }
        case 'top_stocks_change':
          emit({ kind: 'lists', changes: topListTransitions(grid, message.payload) });
          if (grid) {
            grid = applyTopStocksChange(grid, message.payload);
            emit({ kind: 'data', data: grid });
          } else {
            fetchGridNow();
          }
          return;
        case 'significant_move':
          emit({ kind: 'move', move: message.payload });
          return;
        case 'analysis_progress': {
          const { run_id, stage, percent, error } = message.payload;
          emit({
            kind: 'progress',
            run_id,
            stage,
            percent,
            ...(error !== undefined && error !== null ? { error } : {}),
          });
          return;
        }
      }
    };

    function connect(): void {
      if (stopped) return;
      dropSocket();
      if (!WS) {
        handleFailure();
        return;
      }
      const pending = ticket();
      if (pending === null) {
        open(WS, null);
        return;
      }
      const mine = attempt;
      pending.then(
        (issued) => {
          if (!stopped && mine === attempt) open(WS, issued);
        },
        () => {
          if (!stopped && mine === attempt) handleFailure();
        },
      );
    }

    function open(WS: WebSocketFactory, issued: string | null): void {
      const query = new URLSearchParams();
      if (lastSeq !== null) query.set('since', String(lastSeq));
      if (issued !== null) query.set('ticket', issued);
      const search = query.toString();
      const target = search ? `${url}?${search}` : url;
      let ws: WebSocketLike;
      try {
        ws = new WS(target);
      } catch {
        handleFailure();
        return;
      }
      socket = ws;
      ws.onopen = () => {
        if (socket !== ws) return;
        failures = 0;
        connected = true;
        endFallback();
        setStatus({ state: 'connected', attempt: 0 });
        armWatchdog();
      };
      ws.onmessage = (event) => {
        if (socket !== ws) return;
        const message = parseMessage(event.data);
        if (message) handleMessage(message);
      };
      ws.onerror = () => {
        // A close event follows; failure handling happens there.
      };
      ws.onclose = () => {
        if (socket !== ws) return;
        dropSocket();
        handleFailure();
      };
    }

    const session: Session = {
      refresh() {
        if (stopped) return;
        clearRetry();
        dropSocket();
        lastSeq = null;
        failures = 0;
        lastStatus = null;
        setStatus({ state: 'connecting', attempt: 0 });
        connect();
      },
    };
    sessions.add(session);

    setStatus({ state: 'connecting', attempt: 0 });
    connect();

    return () => {
      stopped = true;
      sessions.delete(session);
      clearRetry();
      dropSocket();
      endFallback();
    };
  }

  return {
    subscribe: start,
    refresh() {
      for (const session of [...sessions]) session.refresh();
    },
  };
}
