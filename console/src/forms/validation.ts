/**
 * Validation as the user types: the body is parsed with the kind's create or update schema
 * (schema/parse.ts, as the API parses it, so the messages are the API's), and rules that need
 * the live state (a port already used on the load balancer, a reference that does not exist,
 * what the engine could not apply) go through the API's dry run, debounced and aborted when a
 * newer body supersedes it.
 */
import { useEffect, useState } from 'preact/hooks';
import { parseResource } from '../../../schema/parse.ts';
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import { apiCall, asApiError, type ApiError } from '../api.ts';
import type { Body } from './values.ts';
import { templateOf } from './values.ts';

/** Problem is one failure shown at a field: its code and the API's message. */
export interface Problem {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** localProblems parses a body as the API would and lists its failures (none: the body is valid). */
export function localProblems(kind: ResourceKind, op: 'create' | 'update', body: Body, previous?: Body): Problem[] {
  const result = parseResource(kind, op, body, previous ? { previous } : {});
  return result.ok ? [] : result.errors.map((e) => ({ path: e.path, code: e.code ?? 'VALIDATION_FAILED', message: e.message }));
}

/** problemsOfRefusal turns an API refusal into field problems: one per `errors[]` entry, with the entry's code or the problem's. */
export function problemsOfRefusal(error: ApiError): Problem[] {
  if (error.errors.length === 0) return [{ path: '', code: error.code, message: error.detail ?? error.title }];
  return error.errors.map((e) => {
    const own = (e as { code?: unknown }).code;
    return { path: e.path, code: typeof own === 'string' ? own : error.code, message: e.message };
  });
}

/**
 * problemsAt picks the problems a field shows: those at its path, and for a field edited as a
 * whole (a list, tags) those inside it too.
 */
export function problemsAt(problems: readonly Problem[], path: string, inside = false): Problem[] {
  return problems.filter((p) => p.path === path || (inside && (p.path.startsWith(`${path}[`) || p.path.startsWith(`${path}.`))));
}

/** isPlaced tells whether a problem's path falls on one of the schema paths a form shows. */
export function isPlaced(problem: Problem, shown: ReadonlySet<string>, wholes: ReadonlySet<string>): boolean {
  const template = templateOf(problem.path);
  if (shown.has(template)) return true;
  for (const w of wholes) if (template.startsWith(`${w}[`) || template.startsWith(`${w}.`)) return true;
  return false;
}

/** DRY_RUN_DELAY_MS is how long the form waits after the last keystroke before asking for a dry run. */
export const DRY_RUN_DELAY_MS = 400;

/** DryRunState is the last dry run's answer for the current body. */
export interface DryRunState {
  readonly pending: boolean;
  /** The API accepted the body (200 `{valid: true}`). */
  readonly valid: boolean;
  readonly problems: readonly Problem[];
  /** The refusal itself, for its code and title. */
  readonly error: ApiError | undefined;
}

const IDLE: DryRunState = { pending: false, valid: false, problems: [], error: undefined };

/** DryRunRequest is what to dry-run: a POST to a collection or a PUT of one resource. */
export interface DryRunRequest {
  readonly token: string;
  readonly collection: string;
  /** The resource's id for a PUT; absent for a POST. */
  readonly id?: string | undefined;
  readonly body: Body;
  /** Whether to run at all (the body passes the local parse). */
  readonly enabled: boolean;
  readonly onUnauthenticated?: (error: ApiError) => void;
}

/** useDryRun runs the API's dry run of the body, debounced; a newer body aborts the older run. */
export function useDryRun(req: DryRunRequest): DryRunState {
  const [state, setState] = useState<DryRunState>(IDLE);
  const key = JSON.stringify(req.body);
  useEffect(() => {
    if (!req.enabled) {
      setState(IDLE);
      return;
    }
    const abort = new AbortController();
    setState((s) => ({ ...s, pending: true }));
    const timer = setTimeout(() => {
      const path = req.id === undefined ? `/v1/${req.collection}?dryRun=true` : `/v1/${req.collection}/${encodeURIComponent(req.id)}?dryRun=true`;
      apiCall({ method: req.id === undefined ? 'POST' : 'PUT', path, token: req.token, body: req.body, signal: abort.signal }).then(
        () => {
          if (!abort.signal.aborted) setState({ pending: false, valid: true, problems: [], error: undefined });
        },
        (err: unknown) => {
          if (abort.signal.aborted) return;
          const error = asApiError(err);
          if (error.status === 401) req.onUnauthenticated?.(error);
          setState({ pending: false, valid: false, problems: problemsOfRefusal(error), error });
        },
      );
    }, DRY_RUN_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key, req.enabled, req.collection, req.id, req.token]);
  return state;
}
