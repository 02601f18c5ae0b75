/**
 * QuickCreatePage (`#/listeners/quick-create`): the seed's "Quick Create Listener" dialog —
 * protocol, port, server certificate, TLS policy and server group (picked, or created in
 * place) — as a modal <dialog>: focus moves into it, Escape or Cancel closes it back to the
 * overview, OK creates the listener and shows it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { RESOURCE_KINDS } from '../../../schema/kinds.ts';
import { apiCall, asApiError, type ApiError } from '../api.ts';
import type { FormContext } from '../forms/controls.tsx';
import { FieldList } from '../forms/controls.tsx';
import { useReferences, type Item } from '../forms/references.ts';
import { kindFields, OtherProblems, useResourceForm } from '../forms/resource-form.tsx';
import type { FieldSpec } from '../forms/schema-fields.ts';
import { problemsOfRefusal } from '../forms/validation.ts';
import { ProblemMessage } from '../problem-message.tsx';
import { navigate } from '../router.ts';
import { InlineCreate } from '../wizard/inline-create.tsx';
import { withoutHttpsOnly } from '../wizard/steps.ts';
import type { PageProps } from './page-props.ts';

const Listener = RESOURCE_KINDS.Listener;

/** quickFields are the dialog's fields: the listener's load balancer, protocol, port, server certificate, TLS policy and server group. */
export function quickFields(): FieldSpec[] {
  return kindFields(Listener, ['loadBalancerId', 'protocol', 'port', 'certificates', 'tlsPolicyId', 'defaultServerGroupId']).map((s) =>
    s.key === 'certificates' ? { ...s, children: s.children.filter((c) => c.key === 'defaultCertificateId') } : s,
  );
}

/** QuickCreatePage is the Quick Create Listener dialog. */
export function QuickCreatePage({ token, onUnauthenticated, route }: PageProps & { route: { loadBalancerId?: string } }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [refusal, setRefusal] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const form = useResourceForm({
    kind: Listener,
    op: 'create',
    initial: { protocol: 'HTTPS', ...(route.loadBalancerId ? { loadBalancerId: route.loadBalancerId } : {}) },
    token,
    onUnauthenticated,
    normalize: withoutHttpsOnly,
  });
  const refs = useReferences(token, ['load-balancers', 'certificates', 'tls-policies', 'server-groups'], onUnauthenticated);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open && typeof d.showModal === 'function') d.showModal();
    return () => {
      if (d?.open) d.close();
    };
  }, []);
  const close = () => navigate({ page: 'overview' });
  const https = form.value.protocol !== 'HTTP';
  const specs = quickFields();
  const ctx: FormContext = {
    idPrefix: 'quick',
    value: form.value,
    set: form.set,
    problems: form.visible,
    lists: refs.lists,
    https,
    extras: {
      defaultServerGroupId: (
        <InlineCreate
          kind={RESOURCE_KINDS.ServerGroup}
          label="Create a server group"
          token={token}
          idPrefix="quick-new-group"
          onUnauthenticated={onUnauthenticated}
          onCreated={(item) => {
            void refs.reload('server-groups');
            form.set('defaultServerGroupId', item.id);
          }}
        />
      ),
    },
  };
  const submit = async () => {
    form.revealAll();
    setRefusal(undefined);
    if (form.local.length > 0) return;
    setBusy(true);
    try {
      const answer = await apiCall<Item>({ method: 'POST', path: '/v1/listeners', token, body: form.value });
      if (answer.body) navigate({ page: 'resource', collection: 'listeners', id: answer.body.id });
    } catch (err) {
      const e = asApiError(err);
      if (e.status === 401) onUnauthenticated(e);
      setRefusal(e);
      form.setRefusal(problemsOfRefusal(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog
      ref={dialog}
      class="quick-create"
      aria-labelledby="quick-title"
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <h1 id="quick-title">Quick Create Listener</h1>
      <div class="quick-body">
        <FieldList ctx={ctx} specs={specs} base="" />
        <OtherProblems problems={form.visible} specs={specs} https={https} />
        <p class={form.dryRun.valid ? 'dry-run-status ok' : 'dry-run-status'} aria-live="polite">
          {form.dryRun.pending ? 'Checking with the API…' : form.dryRun.valid ? 'The API accepts this listener (dry run).' : ''}
        </p>
        {refs.error && <ProblemMessage error={refs.error} />}
        {refusal && <ProblemMessage error={refusal} />}
        <div class="form-actions">
          <button type="button" disabled={busy} onClick={() => void submit()}>
            OK
          </button>
          <button type="button" class="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </div>
    </dialog>
  );
}
