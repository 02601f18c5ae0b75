/**
 * App switches between the sign-in form and the signed-in pages, holding the token for the tab
 * (session.ts) and dropping it on logout or when the API stops accepting it. The page shown
 * follows the URL's hash (router.ts).
 */
import { useState } from 'preact/hooks';
import type { ApiError } from './api.ts';
import { SignIn } from './sign-in.tsx';
import { forgetToken, rememberToken, storedToken } from './session.ts';
import { href, useRoute, type Route } from './router.ts';
import { PageFor } from './pages/page-for.tsx';

/** App is the console's root component. */
export function App() {
  const [token, setToken] = useState<string | undefined>(storedToken);
  const [expired, setExpired] = useState<ApiError | undefined>(undefined);
  const route = useRoute();

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
      route={route}
      actions={
        <button type="button" class="secondary" onClick={() => signOut()}>
          Log out
        </button>
      }
    >
      <PageFor route={route} token={token} onUnauthenticated={signOut} />
    </Shell>
  );
}

/** NAV are the top-level pages, in the order the header lists them. */
const NAV: readonly { label: string; route: Route; matches: readonly Route['page'][] }[] = [
  { label: 'Overview', route: { page: 'overview' }, matches: ['overview', 'resource', 'edit', 'create', 'code'] },
  { label: 'Create listener', route: { page: 'create-listener' }, matches: ['create-listener', 'quick-create'] },
  { label: 'Events', route: { page: 'events' }, matches: ['events'] },
  { label: 'Drift', route: { page: 'drift' }, matches: ['drift'] },
];

function Shell(props: { children: preact.ComponentChildren; actions?: preact.ComponentChildren; route?: Route }) {
  const { route } = props;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Gatehouse</span>
        {route && (
          <nav aria-label="Pages" class="pages">
            {NAV.map((n) => (
              <a key={n.label} href={href(n.route)} aria-current={n.matches.includes(route.page) ? 'page' : undefined}>
                {n.label}
              </a>
            ))}
          </nav>
        )}
        <nav aria-label="Account">{props.actions}</nav>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
