/** QuickCreatePage: being built (issue: web console); until then it says so. */
import type { PageProps } from './page-props.ts';

/** QuickCreatePage is one page of the console. */
export function QuickCreatePage(_props: PageProps & { route: { loadBalancerId?: string } }) {
  return (
    <section class="card">
      <h1>Not available yet</h1>
      <p>This page of the console is not built yet.</p>
    </section>
  );
}
