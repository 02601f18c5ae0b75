/**
 * CreatePage (`#/r/<collection>/new`): the form of a new resource of any kind, derived from its
 * schema; a listener is created with the wizard instead.
 */
import { useEffect } from 'preact/hooks';
import { kindByCollection } from '../../../schema/kinds.ts';
import { KIND_TITLES } from '../forms/presentation.ts';
import { ResourceEditor } from '../forms/resource-editor.tsx';
import { href, navigate, type Collection } from '../router.ts';
import type { PageProps } from './page-props.ts';

/** CreatePage creates one resource and then shows it. */
export function CreatePage({ token, onUnauthenticated, route }: PageProps & { route: { collection: Collection } }) {
  const kind = kindByCollection(route.collection);
  useEffect(() => {
    if (route.collection === 'listeners') navigate({ page: 'create-listener' });
  }, [route.collection]);
  if (!kind) return null;
  if (route.collection === 'listeners') {
    return (
      <section class="card">
        <p>
          Listeners are created with the <a href={href({ page: 'create-listener' })}>listener wizard</a>.
        </p>
      </section>
    );
  }
  const title = KIND_TITLES[kind.name];
  return (
    <section class="card" aria-labelledby="create-title">
      <h1 id="create-title">Create a {title}</h1>
      <ResourceEditor
        key={route.collection}
        kind={kind}
        token={token}
        onUnauthenticated={onUnauthenticated}
        idPrefix={`create-${route.collection}`}
        onSaved={(item) => navigate({ page: 'resource', collection: route.collection, id: item.id })}
      />
    </section>
  );
}
