/**
 * SignIn takes the admin token the operator pastes, checks it with one authenticated read, and
 * shows the API's problem code and title when the API refuses it.
 */
import { useState } from 'preact/hooks';
import { ApiError, checkToken } from './api.ts';
import { ProblemMessage } from './problem-message.tsx';

/** SignInProps: what to do with an accepted token, and why the last session ended, if it did. */
export interface SignInProps {
  onSignedIn: (token: string) => void;
  notice?: ApiError | undefined;
}

/** SignIn is the sign-in form. */
export function SignIn({ onSignedIn, notice }: SignInProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') return;
    setBusy(true);
    setError(undefined);
    try {
      await checkToken(value);
      onSignedIn(value);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'API_UNREACHABLE', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const shown = error ?? notice;
  return (
    <section class="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p class="hint">
        Paste the admin token printed by <code>gatehouse serve</code> (or kept in <code>&lt;data-dir&gt;/admin-token</code>). It stays in this tab
        only and is sent to this server's API as a Bearer header.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby={shown ? 'sign-in-error' : undefined}
          aria-invalid={error ? true : undefined}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {shown && <ProblemMessage id="sign-in-error" error={shown} />}
    </section>
  );
}
