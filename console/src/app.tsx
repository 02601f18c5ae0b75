/**
 * App switches between the sign-in form and the signed-in pages, holding the token for the tab
 * (session.ts) and dropping it on logout or when the API stops accepting it.
 */
import { useState } from 'preact/hooks';
import type { ApiError } from './api.ts';
import { OverviewPage } from './overview.tsx';
import { SignIn } from './sign-in.tsx';
import { forgetToken, rememberToken, storedToken } from './session.ts';

/** App is the console's root component. */
export function App() {
  const [token, setToken] = useState<string | undefined>(storedToken);
  const [expired, setExpired] = useState<ApiError | undefined>(undefined);

  if (token === undefined) {
    return (
      <Shell>
        <SignIn
          notice={expired}
          onSignedIn={(t) => {
            rememberToken(t);
            setExpired(undefined);
            setToken(t);
          }}
        />
      </Shell>
    );
  }
  const signOut = (reason?: ApiError) => {
    forgetToken();
    setExpired(reason);
    setToken(undefined);
  };
  return (
    <Shell
      actions={
        <button type="button" class="secondary" onClick={() => signOut()}>
          Log out
        </button>
      }
    >
      <OverviewPage token={token} onUnauthenticated={signOut} />
    </Shell>
  );
}

function Shell(props: { children: preact.ComponentChildren; actions?: preact.ComponentChildren }) {
  return (
    <>
      <header class="top">
        <span class="brand">Gatehouse</span>
        <nav aria-label="Account">{props.actions}</nav>
      </header>
      <main id="main">{props.children}</main>
    </>
  );
}
