/**
 * compareDrift (SPEC §4 `gatehouse drift`): compares the resources of a `pulumi stack export`
 * file with their live state, resource by resource: missing, or fields that differ. Pure: the
 * live state comes from a lookup, so the comparison is testable without a server and the
 * command can fetch everything first.
 *
 * The stack's inputs are compared with the live object read back as inputs (the same reading
 * as the provider's refresh), so a field added, changed or removed outside Pulumi shows, and
 * output-only fields (status, version, timestamps) do not. Secret values cannot be compared:
 * a stack export holds them encrypted, and privateKeyPem is write-only in the API; they are
 * listed as not compared.
 *
 * Pure and free of Node.js and protobuf: the command (`provider/drift/run.ts`) and the API's
 * drift route (`POST /v1/drift`) run this same comparison.
 */
import type { ResourceKind } from '../resource-kind.ts';
import { isAtOrUnder } from '../field-path.ts';
import { diffInputs, type ChangeKind } from './input-diff.ts';
import { inputsFromLive, kindOfType, nameOfUrn } from './live-inputs.ts';
import { decodeWire, type PropertyMap, type Value } from './values.ts';

/** LiveLookup returns the live API object of a resource, or undefined when it does not exist. */
export type LiveLookup = (kind: ResourceKind, id: string) => Readonly<Record<string, unknown>> | undefined;

/** FieldDrift is one field whose stack and live values differ. */
export interface FieldDrift {
  path: string;
  kind: ChangeKind;
  stack: unknown;
  live: unknown;
}

/** ResourceDrift is the verdict on one resource of the stack. */
export interface ResourceDrift {
  urn: string;
  type: string;
  name: string;
  id: string;
  state: 'in-sync' | 'missing' | 'changed';
  fields: FieldDrift[];
  /** Property paths that were not compared, with the reason. */
  notCompared: { path: string; reason: string }[];
}

/** DriftReport is the verdict on a whole stack export. */
export interface DriftReport {
  resources: ResourceDrift[];
  drifted: number;
}

/** StackResource is a Gatehouse resource of a stack export. */
export interface StackResource {
  urn: string;
  type: string;
  kind: ResourceKind;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** DriftInputError means the file is not a stack export this command understands; `path` names the part at fault. */
export class DriftInputError extends Error {
  readonly path: string;

  constructor(message: string, path = '') {
    super(message);
    this.name = 'DriftInputError';
    this.path = path;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * stackResources lists the Gatehouse resources of a stack export (`deployment.resources[]`):
 * custom resources with a `gatehouse:index:` type and an id, not pending deletion.
 */
export function stackResources(exportJson: unknown): StackResource[] {
  if (!isObject(exportJson) || !isObject(exportJson.deployment)) {
    throw new DriftInputError('not a stack export: expected an object with "deployment" (the output of pulumi stack export)', 'deployment');
  }
  const resources = exportJson.deployment.resources ?? [];
  if (!Array.isArray(resources)) throw new DriftInputError('not a stack export: deployment.resources is not an array', 'deployment.resources');
  const out: StackResource[] = [];
  resources.forEach((r, i) => {
    if (!isObject(r)) throw new DriftInputError(`deployment.resources[${i}] is not an object`, `deployment.resources[${i}]`);
    const type = typeof r.type === 'string' ? r.type : '';
    const kind = kindOfType(type);
    if (!kind || r.delete === true) return;
    const id = typeof r.id === 'string' ? r.id : '';
    if (id === '') return;
    out.push({
      urn: typeof r.urn === 'string' ? r.urn : `${type}::${id}`,
      type,
      kind,
      id,
      inputs: isObject(r.inputs) ? r.inputs : {},
      outputs: isObject(r.outputs) ? r.outputs : {},
    });
  });
  return out;
}

function valueAt(map: PropertyMap, path: string): unknown {
  let cur: Value | undefined = map;
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key: string | number = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? (JSON.parse(`"${m[3]}"`) as string) : (m[1] ?? '');
    cur = Array.isArray(cur) ? cur[Number(key)] : (cur as Record<string, Value>)[String(key)];
  }
  return cur;
}

/** compareResource compares one stack resource with its live object (undefined = missing). */
export function compareResource(res: StackResource, live: Readonly<Record<string, unknown>> | undefined): ResourceDrift {
  const base = { urn: res.urn, type: res.type, name: nameOfUrn(res.urn), id: res.id };
  const hasInputs = Object.keys(res.inputs).length > 0;
  const decoded = decodeWire(hasInputs ? res.inputs : res.outputs);
  const stackInputs = hasInputs ? decoded.value : inputsFromLive(res.kind, decoded.value);
  const notCompared: { path: string; reason: string }[] = [];
  for (const f of res.kind.secretFields) {
    if (stackInputs[f] !== undefined) notCompared.push({ path: f, reason: 'secret and write-only: the API never returns it' });
  }
  for (const p of decoded.secretPaths) {
    if (!notCompared.some((n) => isAtOrUnder(p, n.path))) notCompared.push({ path: p, reason: 'secret in the stack: its value is encrypted' });
  }
  if (!live) return { ...base, state: 'missing', fields: [], notCompared };
  const liveInputs = inputsFromLive(res.kind, live);
  const skip = notCompared.map((n) => n.path);
  const { changes } = diffInputs(res.kind, stackInputs, liveInputs, skip);
  const fields = changes.map((c) => ({ path: c.path, kind: c.kind, stack: valueAt(stackInputs, c.path), live: valueAt(liveInputs, c.path) }));
  return { ...base, state: fields.length > 0 ? 'changed' : 'in-sync', fields, notCompared };
}

/** compareDrift compares every Gatehouse resource of a stack export with the live state. */
export function compareDrift(exportJson: unknown, liveLookup: LiveLookup): DriftReport {
  const resources = stackResources(exportJson).map((r) => compareResource(r, liveLookup(r.kind, r.id)));
  return { resources, drifted: resources.filter((r) => r.state !== 'in-sync').length };
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** formatDriftReport renders a report for the terminal: one line per drifted field. */
export function formatDriftReport(report: DriftReport, endpoint: string): string {
  const lines: string[] = [];
  for (const r of report.resources) {
    const who = `${r.type.replace('gatehouse:index:', '')} "${r.name}" (${r.id})`;
    if (r.state === 'missing') lines.push(`DRIFT    ${who}: missing — it no longer exists in Gatehouse`);
    for (const f of r.fields) {
      const what = f.kind === 'add' ? 'set outside Pulumi' : f.kind === 'delete' ? 'removed outside Pulumi' : 'changed outside Pulumi';
      lines.push(`DRIFT    ${who}: ${f.path} ${what}: stack ${show(f.stack)}, live ${show(f.live)}`);
    }
    if (r.state === 'in-sync') lines.push(`in sync  ${who}`);
    for (const n of r.notCompared) lines.push(`skipped  ${who}: ${n.path} not compared (${n.reason})`);
  }
  const n = report.resources.length;
  lines.push(
    report.drifted > 0
      ? `drift: ${report.drifted} of ${n} resource${n === 1 ? '' : 's'} differ from ${endpoint}`
      : `no drift: ${n} resource${n === 1 ? '' : 's'} match ${endpoint}`,
  );
  return `${lines.join('\n')}\n`;
}
