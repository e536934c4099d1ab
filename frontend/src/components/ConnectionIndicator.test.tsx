import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConnectionIndicator, connectionLabel } from './ConnectionIndicator';

describe('ConnectionIndicator', () => {
  it('shows a green dot and "Live" when connected', () => {
    render(<ConnectionIndicator state="connected" attempt={0} />);
    const indicator = screen.getByRole('status');
    expect(indicator).toHaveAttribute('data-testid', 'connection-indicator');
    expect(indicator).toHaveAttribute('data-state', 'connected');
    expect(indicator).toHaveTextContent('Live');
    expect(screen.getByTestId('connection-dot')).toHaveStyle({ background: '#22c55e' });
    expect(screen.getByTestId('connection-dot')).toHaveAttribute('aria-hidden', 'true');
  });

  it('shows the attempt number while reconnecting', () => {
    render(<ConnectionIndicator state="reconnecting" attempt={3} />);
    const indicator = screen.getByTestId('connection-indicator');
    expect(indicator).toHaveAttribute('data-state', 'reconnecting');
    expect(indicator).toHaveTextContent('Reconnecting (attempt 3)');
    expect(screen.getByTestId('connection-dot')).toHaveStyle({ background: '#f59e0b' });
  });

  it('says it is offline and showing last known data', () => {
    render(<ConnectionIndicator state="offline" attempt={5} />);
    const indicator = screen.getByTestId('connection-indicator');
    expect(indicator).toHaveAttribute('data-state', 'offline');
    expect(indicator).toHaveTextContent('Offline — showing last known data');
    expect(screen.getByTestId('connection-dot')).toHaveStyle({ background: '#94a3b8' });
  });

  it('labels every state with text', () => {
    expect(connectionLabel('connecting', 0)).toBe('Connecting…');
    expect(connectionLabel('reconnecting', 0)).toBe('Reconnecting');
    expect(connectionLabel('connected', 0)).toBe('Live');
  });
});
