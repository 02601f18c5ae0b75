/** PageFor renders the page a route names. */
import { OverviewPage } from '../overview.tsx';
import { href, type Route } from '../router.ts';
import { CodePage } from './code-page.tsx';
import { CreateListenerPage } from './create-listener-page.tsx';
import { CreatePage } from './create-page.tsx';
import { DriftPage } from './drift-page.tsx';
import { EditPage } from './edit-page.tsx';
import { EventsPage } from './events-page.tsx';
import type { PageProps } from './page-props.ts';
import { QuickCreatePage } from './quick-create-page.tsx';
import { ResourcePage } from './resource-page.tsx';

/** PageFor picks the page component of a route. */
export function PageFor({ route, ...props }: PageProps & { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage {...props} />;
    case 'create-listener':
      return <CreateListenerPage {...props} route={route} />;
    case 'quick-create':
      return <QuickCreatePage {...props} route={route} />;
    case 'create':
      return <CreatePage {...props} route={route} />;
    case 'edit':
      return <EditPage {...props} route={route} />;
    case 'resource':
      return <ResourcePage {...props} route={route} />;
    case 'events':
      return <EventsPage {...props} route={route} />;
    case 'drift':
      return <DriftPage {...props} />;
    case 'code':
      return <CodePage {...props} route={route} />;
    case 'not-found':
      return <NotFound hash={href(route)} />;
  }
}

function NotFound({ hash }: { hash: string }) {
  return (
    <section class="card" aria-labelledby="not-found-title">
      <h1 id="not-found-title">No such page</h1>
      <p>
        The console has no page at <code>{hash}</code>. <a href="#/">Back to the overview</a>.
      </p>
    </section>
  );
}
