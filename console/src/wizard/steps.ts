/**
 * The steps of the listener wizard, as the seed's "Create an HTTPS listener" has them:
 * Configure Listener, SSL Certificates (HTTPS only), Server Group, Review. Which step edits
 * which top-level field of the listener, which problems belong to a step, and the body a dry
 * run checks before the later steps are filled.
 */
import { RESOURCE_KINDS } from '../../../schema/kinds.ts';
import { formFields } from '../forms/schema-fields.ts';
import type { Problem } from '../forms/validation.ts';
import { localProblems } from '../forms/validation.ts';
import { segmentsOf, type Body } from '../forms/values.ts';

/** StepId names one step. */
export type StepId = 'configure' | 'certificates' | 'server-group' | 'review';

/** STEP_TITLES are the steps' titles, as the seed names them. */
export const STEP_TITLES: Readonly<Record<StepId, string>> = {
  configure: 'Configure Listener',
  certificates: 'SSL Certificates',
  'server-group': 'Server Group',
  review: 'Review',
};

/** STEP_FIELDS are the top-level listener fields each step edits. */
export const STEP_FIELDS: Readonly<Record<StepId, readonly string[]>> = {
  configure: [
    'loadBalancerId',
    'protocol',
    'port',
    'description',
    'tags',
    'http2Enabled',
    'idleTimeout',
    'requestTimeout',
    'compressionEnabled',
    'forwardedHeaders',
    'underscoreHeadersEnabled',
    'quic',
  ],
  certificates: ['certificates', 'mutualAuthentication', 'tlsPolicyId'],
  'server-group': ['defaultServerGroupId'],
  review: [],
};

/** stepsFor lists the steps of a listener of a protocol: an HTTP listener skips the certificates. */
export function stepsFor(protocol: unknown): StepId[] {
  return protocol === 'HTTP' ? ['configure', 'server-group', 'review'] : ['configure', 'certificates', 'server-group', 'review'];
}

/** stepOf is the step that edits the field a path lies in ('review' for the body as a whole). */
export function stepOf(path: string): StepId {
  const top = segmentsOf(path)[0];
  for (const step of ['configure', 'certificates', 'server-group'] as const) {
    if (typeof top === 'string' && STEP_FIELDS[step].includes(top)) return step;
  }
  return 'review';
}

/** problemsOfStep keeps the problems a step's fields hold. */
export function problemsOfStep(step: StepId, problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => stepOf(p.path) === step);
}

/** reachedFields are the top-level fields of the steps up to and including `current`. */
export function reachedSteps(steps: readonly StepId[], current: StepId): Set<StepId> {
  return new Set(steps.slice(0, steps.indexOf(current) + 1));
}

/** NOT_CHOSEN_YET stands in a probe for a reference a later step chooses; the dry run reports it as not found, and the wizard does not show that. */
export const NOT_CHOSEN_YET = 'not-chosen-yet';

/** HTTPS_ONLY are the listener's fields an HTTP listener may not carry, read from the schema's facts. */
const HTTPS_ONLY = (() => {
  const top: string[] = [];
  const forwarded: string[] = [];
  for (const s of formFields(RESOURCE_KINDS.Listener)) {
    if (s.facts.httpsOnly) top.push(s.key);
    if (s.key === 'forwardedHeaders') for (const c of s.children) if (c.facts.httpsOnly) forwarded.push(c.key);
  }
  return { top, forwarded };
})();

/** withoutHttpsOnly drops from an HTTP listener's body the fields only HTTPS listeners carry. */
export function withoutHttpsOnly(body: Body): Body {
  if (body.protocol !== 'HTTP') return body;
  const copy: Body = { ...body };
  for (const f of HTTPS_ONLY.top) delete copy[f];
  if (copy.forwardedHeaders !== null && typeof copy.forwardedHeaders === 'object') {
    const fh = { ...(copy.forwardedHeaders as Body) };
    for (const f of HTTPS_ONLY.forwarded) delete fh[f];
    copy.forwardedHeaders = fh;
  }
  return copy;
}

/**
 * probeBody is what the wizard dry-runs while on a step: the body, with the references of the
 * steps not reached yet standing in as NOT_CHOSEN_YET, so that the live rules of the steps
 * filled (a port already used on the load balancer) are checked before Submit. Undefined when
 * the schema still refuses a field of a reached step.
 */
export function probeBody(body: Body, steps: readonly StepId[], current: StepId): Body | undefined {
  const reached = reachedSteps(steps, current);
  const probe: Body = { ...body };
  if (!reached.has('server-group') && probe.defaultServerGroupId === undefined) probe.defaultServerGroupId = NOT_CHOSEN_YET;
  if (steps.includes('certificates') && !reached.has('certificates') && probe.certificates === undefined) {
    probe.certificates = { defaultCertificateId: NOT_CHOSEN_YET };
  }
  const problems = localProblems(RESOURCE_KINDS.Listener, 'create', probe);
  return problems.length === 0 ? probe : undefined;
}

/** shownOnStep tells whether a dry-run problem is shown while on a step: it concerns a field of a reached step. */
export function shownOnStep(problem: Problem, steps: readonly StepId[], current: StepId): boolean {
  const step = stepOf(problem.path);
  if (current === 'review') return true;
  return step !== 'review' && reachedSteps(steps, current).has(step);
}
