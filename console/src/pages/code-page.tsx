/**
 * CodePage (`#/code/<collection>/<id>`): a resource, or a whole load balancer, as the Pulumi
 * program that declares it. The generator reads the resource models, so it comes as a chunk of
 * its own, loaded with this page only; the rest of the console stays small.
 */
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CodeViewProps } from '../code/code-view.tsx';
import type { Collection } from '../router.ts';
import type { PageProps } from './page-props.ts';

/** CodePage loads the code view and shows the program of the route's resource. */
export function CodePage({ route, token, onUnauthenticated }: PageProps & { route: { collection: Collection; id: string } }) {
  const [View, setView] = useState<FunctionComponent<CodeViewProps> | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    import('../code/code-view.tsx')
      .then((m) => live && setView(() => m.CodeView))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, []);
  if (failed) {
    return (
      <section class="card" role="alert">
        <h1>Could not load this page</h1>
        <p>Reload the console and try again.</p>
      </section>
    );
  }
  if (!View) return <p class="hint">Loading…</p>;
  return <View collection={route.collection} id={route.id} token={token} onUnauthenticated={onUnauthenticated} />;
}
