/** CodePage: being built (issue: web console); until then it says so. */
import type { Collection } from '../router.ts';
import type { PageProps } from './page-props.ts';

/** CodePage is one page of the console. */
export function CodePage(_props: PageProps & { route: { collection: Collection; id: string } }) {
  return (
    <section class="card">
      <h1>Not available yet</h1>
      <p>This page of the console is not built yet.</p>
    </section>
  );
}
