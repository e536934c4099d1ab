import { act, fireEvent, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthGate } from './SignIn';
import { clearToken, notifyUnauthorized, storedToken } from '../api/token';
import type { Session } from '../api/types';

function dashboard(account: ReactNode) {
  return (
    <div data-testid="dashboard">
      {account}
    </div>
  );
}

/** A server whose users are `tokens` (token -> user), or with auth off. */
function server(auth: Session['auth'], tokens: Record<string, string> = {}) {
  return vi.fn(
    async (): Promise<Session> =>
      auth === 'off' ? { auth, user: 'local' } : { auth, user: tokens[storedToken() ?? ''] ?? null },
  );
}

function signIn(input: HTMLElement, token: string) {
  fireEvent.change(input, { target: { value: token } });
  fireEvent.click(screen.getByTestId('sign-in-submit'));
}

describe('AuthGate', () => {
  afterEach(() => clearToken());

  it('shows the dashboard as before when auth is off', async () => {
    render(<AuthGate loadSession={server('off')}>{dashboard}</AuthGate>);
    expect(await screen.findByTestId('dashboard')).toBeInTheDocument();
    expect(screen.queryByTestId('sign-in')).not.toBeInTheDocument();
    expect(screen.queryByTestId('sign-out')).not.toBeInTheDocument();
  });

  it('shows the dashboard when the server cannot say', async () => {
    render(<AuthGate loadSession={() => Promise.reject(new Error('down'))}>{dashboard}</AuthGate>);
    expect(await screen.findByTestId('dashboard')).toBeInTheDocument();
  });

  it('asks for a token, signs in, signs out and asks again', async () => {
    render(<AuthGate loadSession={server('required', { good: 'alice' })}>{dashboard}</AuthGate>);
    const input = await screen.findByTestId('sign-in-token');
    expect(screen.queryByTestId('dashboard')).not.toBeInTheDocument();
    signIn(input, 'bad');
    expect(await screen.findByTestId('sign-in-error')).toHaveTextContent('not valid');

    signIn(screen.getByTestId('sign-in-token'), ' good ');
    expect(await screen.findByTestId('dashboard')).toBeInTheDocument();
    expect(screen.getByTestId('account')).toHaveTextContent('alice');
    expect(sessionStorage.getItem('sectorlights.token')).toBe('good');

    fireEvent.click(screen.getByTestId('sign-out'));
    expect(await screen.findByTestId('sign-in')).toBeInTheDocument();
    expect(screen.queryByTestId('dashboard')).not.toBeInTheDocument();
    expect(storedToken()).toBeNull();
    expect(screen.queryByTestId('sign-in-error')).not.toBeInTheDocument();
  });

  it('asks again when a request is refused with 401', async () => {
    render(<AuthGate loadSession={server('required', { good: 'alice' })}>{dashboard}</AuthGate>);
    signIn(await screen.findByTestId('sign-in-token'), 'good');
    expect(await screen.findByTestId('dashboard')).toBeInTheDocument();
    act(() => notifyUnauthorized());
    expect(await screen.findByTestId('sign-in-error')).toHaveTextContent('no longer accepted');
  });
});
