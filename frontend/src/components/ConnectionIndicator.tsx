import type { ConnectionState } from '../data/source';

export interface ConnectionIndicatorProps {
  state: ConnectionState;
  /** Consecutive failed attempts (shown while reconnecting). */
  attempt: number;
}

const DOT_COLOR: Record<ConnectionState, string> = {
  connected: '#22c55e',
  connecting: '#f59e0b',
  reconnecting: '#f59e0b',
  offline: '#94a3b8',
};

export function connectionLabel(state: ConnectionState, attempt: number): string {
  switch (state) {
    case 'connected':
      return 'Live';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return attempt > 0 ? `Reconnecting (attempt ${attempt})` : 'Reconnecting';
    case 'offline':
      return 'Offline — showing last known data';
  }
}

/** Small labelled live/reconnecting/offline badge; the text carries the meaning, the dot is decoration. */
export function ConnectionIndicator({ state, attempt }: ConnectionIndicatorProps) {
  const label = connectionLabel(state, attempt);
  return (
    <span
      className={`connection-indicator connection-${state}`}
      role="status"
      aria-live="polite"
      data-testid="connection-indicator"
      data-state={state}
      title={label}
      style={{ display: 'inline-flex', alignItems: 'center', gap: '0.4em' }}
    >
      <span
        className="connection-dot"
        aria-hidden="true"
        data-testid="connection-dot"
        style={{
          display: 'inline-block',
          width: '0.6em',
          height: '0.6em',
          borderRadius: '50%',
          background: DOT_COLOR[state],
        }}
      />
      <span className="connection-label">{label}</span>
    </span>
  );
}
