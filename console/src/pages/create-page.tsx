/** CreatePage: being built (issue: web console); until then it says so. */
import type { Collection } from '../router.ts';
import type { PageProps } from './page-props.ts';

/** CreatePage is one page of the console. */
export function CreatePage(_props: PageProps & { route: { collection: Collection } }) {
  return (
    <section class="card">
      <h1>Not available yet</h1>
      <p>This page of the console is not built yet.</p>
    </section>
  );
}
