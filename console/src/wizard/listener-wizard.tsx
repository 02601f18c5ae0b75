/**
 * The listener wizard of the seed's "Create an HTTPS listener": Configure Listener, SSL
 * Certificates (skipped by an HTTP listener), Server Group, Review. Each step's fields come
 * from the listener's schema; Next is refused while the step has problems (the schema's, or the
 * API's dry run, e.g. PORT_CONFLICT on the port); Back keeps every value; Submit creates the
 * listener and shows it. Certificates, TLS policies and server groups can be created in place.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { RESOURCE_KINDS } from '../../../schema/kinds.ts';
import { parseResource } from '../../../schema/parse.ts';
import { apiCall, asApiError, type ApiError } from '../api.ts';
import type { FormContext } from '../forms/controls.tsx';
import { useReferences, type Item } from '../forms/references.ts';
import { FormFields, OtherProblems, kindFields, useResourceForm } from '../forms/resource-form.tsx';
import { humanize, type FieldSpec } from '../forms/schema-fields.ts';
import { problemsOfRefusal, type Problem } from '../forms/validation.ts';
import type { Body } from '../forms/values.ts';
import { ProblemMessage } from '../problem-message.tsx';
import { navigate } from '../router.ts';
import { InlineCreate } from './inline-create.tsx';
import { problemsOfStep, probeBody, shownOnStep, STEP_FIELDS, STEP_TITLES, stepOf, stepsFor, withoutHttpsOnly, type StepId } from './steps.ts';

const Listener = RESOURCE_KINDS.Listener;
const REFERENCED = ['load-balancers', 'certificates', 'tls-policies', 'server-groups', 'quic-listeners'] as const;

/** ListenerWizardProps: the token, and the load balancer to start with (`?loadBalancerId=`). */
export interface ListenerWizardProps {
  readonly token: string;
  readonly loadBalancerId?: string | undefined;
  readonly onUnauthenticated?: ((e: ApiError) => void) | undefined;
}

/** ListenerWizard walks through the four steps and creates the listener. */
export function ListenerWizard({ token, loadBalancerId, onUnauthenticated }: ListenerWizardProps) {
  const [step, setStep] = useState<StepId>('configure');
  const [revealed, setRevealed] = useState<ReadonlySet<StepId>>(new Set());
  const [refusal, setRefusal] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const stepRef = useRef<HTMLHeadingElement>(null);
  const initial: Body = { protocol: 'HTTPS', ...(loadBalancerId ? { loadBalancerId } : {}) };
  const stepsNow = useRef<{ steps: StepId[]; step: StepId }>({ steps: stepsFor(initial.protocol), step });
  stepsNow.current = { steps: stepsNow.current.steps, step };
  const form = useResourceForm({
    kind: Listener,
    op: 'create',
    initial,
    token,
    onUnauthenticated,
    normalize: withoutHttpsOnly,
    probe: (body) => probeBody(body, stepsFor(body.protocol), stepsNow.current.step),
    showDryRun: (p) => shownOnStep(p, stepsNow.current.steps, stepsNow.current.step),
  });
  const refs = useReferences(token, REFERENCED, onUnauthenticated);
  const steps = stepsFor(form.value.protocol);
  stepsNow.current = { steps, step };
  const index = Math.max(0, steps.indexOf(step));
  const https = form.value.protocol !== 'HTTP';

  const shownLocal = revealed.has(step) ? problemsOfStep(step, form.local) : [];
  const problems: Problem[] = [...new Set([...form.visible, ...shownLocal])];
  const stepProblems = (s: StepId) => [...problemsOfStep(s, form.local), ...problemsOfStep(s, form.dryRun.problems.filter((p) => shownOnStep(p, steps, s)))];

  const goTo = (s: StepId) => {
    setStep(s);
    setRefusal(undefined);
    queueMicrotask(() => stepRef.current?.focus());
  };
  // Next asked while the dry run is still checking the step goes on once it has answered.
  const [nextAsked, setNextAsked] = useState(false);
  const next = () => {
    setRevealed((r) => new Set(r).add(step));
    if (form.dryRun.pending) return setNextAsked(true);
    if (stepProblems(step).length > 0) return;
    const following = steps[index + 1];
    if (following) goTo(following);
  };
  useEffect(() => {
    if (nextAsked && !form.dryRun.pending) {
      setNextAsked(false);
      next();
    }
  }, [nextAsked, form.dryRun.pending]);
  const back = () => {
    const previous = steps[index - 1];
    if (previous) goTo(previous);
  };
  const submit = async () => {
    form.revealAll();
    setRevealed(new Set(steps));
    const firstBad = steps.find((s) => problemsOfStep(s, form.local).length > 0);
    if (firstBad) return goTo(firstBad);
    setBusy(true);
    setRefusal(undefined);
    try {
      const answer = await apiCall<Item>({ method: 'POST', path: '/v1/listeners', token, body: form.value });
      if (answer.body) navigate({ page: 'resource', collection: 'listeners', id: answer.body.id });
    } catch (err) {
      const e = asApiError(err);
      if (e.status === 401) onUnauthenticated?.(e);
      setRefusal(e);
      form.setRefusal(problemsOfRefusal(e));
    } finally {
      setBusy(false);
    }
  };

  const ctx: FormContext = {
    idPrefix: 'wizard',
    value: form.value,
    set: form.set,
    problems,
    lists: refs.lists,
    https,
    extras: {
      'certificates.defaultCertificateId': (
        <InlineCreate
          kind={RESOURCE_KINDS.Certificate}
          label="Upload a certificate"
          token={token}
          idPrefix="wizard-new-certificate"
          initial={{ type: 'Server' }}
          onUnauthenticated={onUnauthenticated}
          onCreated={(item) => {
            void refs.reload('certificates');
            form.set('certificates.defaultCertificateId', item.id);
          }}
        />
      ),
      'mutualAuthentication.caCertificateId': (
        <InlineCreate
          kind={RESOURCE_KINDS.Certificate}
          label="Upload a CA certificate"
          token={token}
          idPrefix="wizard-new-ca"
          initial={{ type: 'CA' }}
          onUnauthenticated={onUnauthenticated}
          onCreated={(item) => {
            void refs.reload('certificates');
            form.set('mutualAuthentication.caCertificateId', item.id);
          }}
        />
      ),
      tlsPolicyId: (
        <InlineCreate
          kind={RESOURCE_KINDS.TlsSecurityPolicy}
          label="Create a TLS policy"
          token={token}
          idPrefix="wizard-new-policy"
          onUnauthenticated={onUnauthenticated}
          onCreated={(item) => {
            void refs.reload('tls-policies');
            form.set('tlsPolicyId', item.id);
          }}
        />
      ),
      defaultServerGroupId: (
        <InlineCreate
          kind={RESOURCE_KINDS.ServerGroup}
          label="Create a server group"
          token={token}
          idPrefix="wizard-new-group"
          onUnauthenticated={onUnauthenticated}
          onCreated={(item) => {
            void refs.reload('server-groups');
            form.set('defaultServerGroupId', item.id);
          }}
        />
      ),
    },
  };
  const specs = kindFields(Listener, STEP_FIELDS[step]);

  return (
    <div class="wizard">
      <nav aria-label="Steps">
        <ol class="steps">
          {steps.map((s, i) => (
            <li key={s} aria-current={s === step ? 'step' : undefined} class={i < index ? 'done' : undefined}>
              {i + 1}. {STEP_TITLES[s]}
            </li>
          ))}
        </ol>
      </nav>
      <h2 tabIndex={-1} ref={stepRef} id="wizard-step-title">
        Step {index + 1} of {steps.length}: {STEP_TITLES[step]}
      </h2>
      {refs.error && <ProblemMessage error={refs.error} />}
      {step === 'review' ? (
        <Review body={form.value} lists={refs.lists} />
      ) : (
        <FormFields ctx={ctx} specs={specs} />
      )}
      {step === 'server-group' && <GroupServers group={refs.lists['server-groups']?.find((g) => g.id === form.value.defaultServerGroupId)} />}
      <OtherProblems problems={step === 'review' ? problems : problems.filter((p) => stepOf(p.path) === step)} specs={specs} https={https} />
      <p class={form.dryRun.valid ? 'dry-run-status ok' : 'dry-run-status'} aria-live="polite">
        {form.dryRun.pending ? 'Checking with the API…' : form.dryRun.valid && step === 'review' ? 'The API accepts this listener (dry run).' : ''}
      </p>
      {refusal && <ProblemMessage error={refusal} />}
      <div class="form-actions">
        {index > 0 && (
          <button type="button" class="secondary" onClick={back}>
            Back
          </button>
        )}
        {step !== 'review' ? (
          <button type="button" onClick={next}>
            Next
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => void submit()}>
            Submit
          </button>
        )}
      </div>
    </div>
  );
}

/** GroupServers shows the servers of the chosen server group. */
function GroupServers({ group }: { group: Item | undefined }) {
  if (!group) return null;
  const servers = Array.isArray(group.servers) ? (group.servers as { address: string; port: number; weight?: number; description?: string }[]) : [];
  return (
    <section aria-labelledby="group-servers-title">
      <h3 id="group-servers-title">Servers of {typeof group.name === 'string' ? group.name : group.id}</h3>
      {servers.length === 0 ? (
        <p class="hint">This server group has no servers yet.</p>
      ) : (
        <ul class="servers group-servers">
          {servers.map((s, i) => (
            <li key={i}>
              {s.address}:{s.port} (weight {s.weight ?? '—'}){s.description ? ` — ${s.description}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Review lists every value the listener will have, defaults applied, as the schema parses it. */
function Review({ body, lists }: { body: Body; lists: Record<string, readonly Item[] | undefined> }) {
  const parsed = parseResource(Listener, 'create', body);
  const value = parsed.ok ? parsed.value : body;
  const names = new Map<string, string>();
  for (const items of Object.values(lists)) for (const i of items ?? []) names.set(i.id, typeof i.name === 'string' ? i.name : typeof i.description === 'string' ? i.description : i.id);
  return (
    <dl class="review">
      {kindFields(Listener)
        .filter((s) => value[s.key] !== undefined)
        .map((s) => (
          <ReviewEntry key={s.key} spec={s} value={value[s.key]} names={names} />
        ))}
    </dl>
  );
}

function show(value: unknown, names: ReadonlyMap<string, string>): string {
  if (typeof value === 'string') return names.has(value) && names.get(value) !== value ? `${names.get(value)} (${value})` : value;
  if (typeof value === 'boolean') return value ? 'On' : 'Off';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((v) => show(v, names)).join(', ');
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k}: ${show(v, names)}`).join('; ');
  }
  return String(value);
}

function ReviewEntry({ spec, value, names }: { spec: FieldSpec | undefined; value: unknown; names: ReadonlyMap<string, string> }) {
  if (spec && spec.control === 'group' && value !== null && typeof value === 'object') {
    return (
      <>
        <dt>{spec.label}</dt>
        <dd>
          <dl>
            {Object.entries(value as Body).map(([k, v]) => (
              <ReviewEntry key={k} spec={spec.children.find((c) => c.key === k) ?? fallbackSpec(k)} value={v} names={names} />
            ))}
          </dl>
        </dd>
      </>
    );
  }
  return (
    <>
      <dt>{spec?.label}</dt>
      <dd>{show(value, names)}</dd>
    </>
  );
}

function fallbackSpec(key: string): FieldSpec | undefined {
  return { key, label: humanize(key), control: 'text', children: [] } as unknown as FieldSpec;
}
