/** CreateListenerPage (`#/listeners/new`, optionally `?loadBalancerId=`): the listener wizard. */
import { ListenerWizard } from '../wizard/listener-wizard.tsx';
import { href } from '../router.ts';
import type { PageProps } from './page-props.ts';

/** CreateListenerPage hosts the four-step wizard. */
export function CreateListenerPage({ token, onUnauthenticated, route }: PageProps & { route: { loadBalancerId?: string } }) {
  return (
    <section class="card" aria-labelledby="wizard-title">
      <div class="page-head">
        <h1 id="wizard-title">Create listener</h1>
        <a href={href({ page: 'quick-create', ...(route.loadBalancerId ? { loadBalancerId: route.loadBalancerId } : {}) })}>Quick Create Listener</a>
      </div>
      <ListenerWizard key={route.loadBalancerId ?? ''} token={token} loadBalancerId={route.loadBalancerId} onUnauthenticated={onUnauthenticated} />
    </section>
  );
}
