import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { fetchSession } from '../api/session';
import { clearToken, onUnauthorized, storeToken, storedToken } from '../api/token';
import type { Session } from '../api/types';

type GateState =
  | { kind: 'checking' }
  /** No token needed (auth off), or the server could not say: the dashboard as before. */
  | { kind: 'open' }
  | { kind: 'signed-in'; user: string }
  | { kind: 'prompt'; error: string | null };

/** The state a session answer puts the gate in. */
function stateOf(session: Session): GateState {
  if (session.auth === 'off') return { kind: 'open' };
  if (session.user) return { kind: 'signed-in', user: session.user };
  return { kind: 'prompt', error: storedToken() === null ? null : 'That token is not valid (any more).' };
}

function SignInForm({ error, onSubmit }: { error: string | null; onSubmit: (token: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = value.trim();
    if (token) onSubmit(token);
  };
  return (
    <main className="app sign-in" data-testid="sign-in">
      <h1>SectorLights</h1>
      <form onSubmit={submit} className="sign-in-form">
        <label htmlFor="sign-in-token">API token</label>
        <p className="status-hint" id="sign-in-hint">
          This dashboard needs a token (from <code>sectorlights users add</code>). It is kept in this tab
          only, until you sign out or close it.
        </p>
        <input
          id="sign-in-token"
          type="password"
          autoComplete="current-password"
          aria-describedby="sign-in-hint"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          data-testid="sign-in-token"
        />
        <button type="submit" className="control-button" data-testid="sign-in-submit">
          Sign in
        </button>
        {error && (
          <p className="status status-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

interface AuthGateProps {
  /** The dashboard; `account` is the signed-in user's sign-out control (null with auth off). */
  children: (account: ReactNode) => ReactNode;
  /** Default `fetchSession`. */
  loadSession?: (signal?: AbortSignal) => Promise<Session>;
}

/**
 * Asks the server whether a token is needed. With auth off the dashboard shows as before; with
 * auth required it shows a token prompt until the token is accepted, then the dashboard and a
 * sign-out control. A 401 from any request (token removed or rotated) brings the prompt back.
 */
export function AuthGate({ children, loadSession = fetchSession }: AuthGateProps) {
  const [state, setState] = useState<GateState>({ kind: 'checking' });

  const check = useCallback(
    (signal?: AbortSignal) => {
      loadSession(signal).then(
        (session) => {
          if (!signal?.aborted) setState(stateOf(session));
        },
        () => {
          // An older server without the endpoint, or none reachable: the dashboard shows its own errors.
          if (!signal?.aborted) setState({ kind: 'open' });
        },
      );
    },
    [loadSession],
  );

  useEffect(() => {
    const controller = new AbortController();
    check(controller.signal);
    return () => controller.abort();
  }, [check]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setState((current) =>
          current.kind === 'signed-in' || current.kind === 'open'
            ? { kind: 'prompt', error: storedToken() === null ? null : 'Your token is no longer accepted.' }
            : current,
        );
      }),
    [],
  );

  const signIn = (token: string) => {
    storeToken(token);
    setState({ kind: 'checking' });
    check();
  };
  const signOut = () => {
    clearToken();
    setState({ kind: 'prompt', error: null });
  };

  switch (state.kind) {
    case 'checking':
      return (
        <p className="status" role="status" data-testid="status-loading">
          Loading…
        </p>
      );
    case 'prompt':
      return <SignInForm error={state.error} onSubmit={signIn} />;
    case 'open':
      return <>{children(null)}</>;
    case 'signed-in':
      return (
        <>
          {children(
            <span className="account" data-testid="account">
              <span className="account-user">{state.user}</span>{' '}
              <button type="button" className="control-button" onClick={signOut} data-testid="sign-out">
                Sign out
              </button>
            </span>,
          )}
        </>
      );
  }
}
