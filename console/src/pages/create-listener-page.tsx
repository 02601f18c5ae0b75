/** CreateListenerPage: being built (issue: web console); until then it says so. */
import type { PageProps } from './page-props.ts';

/** CreateListenerPage is one page of the console. */
export function CreateListenerPage(_props: PageProps & { route: { loadBalancerId?: string } }) {
  return (
    <section class="card">
      <h1>Not available yet</h1>
      <p>This page of the console is not built yet.</p>
    </section>
  );
}
