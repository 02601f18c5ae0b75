/**
 * Diagnostics, the protocol's way of reporting a problem: an error or a warning with a summary,
 * a detail and, when it concerns one attribute, the path to it, so that Terraform points at the
 * line of the configuration that set it.
 */
import type { CtyType } from './protocol/cty-msgpack.ts';

/** PathStep is one step of a `tfplugin6.AttributePath`. */
export type PathStep = { attribute_name: string } | { element_key_string: string } | { element_key_int: number };

/** DiagnosticMessage is the plain-object form of `tfplugin6.Diagnostic`. */
export interface DiagnosticMessage {
  severity: 'ERROR' | 'WARNING';
  summary: string;
  detail: string;
  attribute: { steps: PathStep[] } | null;
}

/** errorDiagnostic makes an error diagnostic, at an attribute path when one is given. */
export function errorDiagnostic(summary: string, detail = '', steps?: PathStep[]): DiagnosticMessage {
  return { severity: 'ERROR', summary, detail, attribute: steps && steps.length > 0 ? { steps } : null };
}

/** warningDiagnostic makes a warning diagnostic. */
export function warningDiagnostic(summary: string, detail = ''): DiagnosticMessage {
  return { severity: 'WARNING', summary, detail, attribute: null };
}

/** notImplemented is the answer of an operation this provider does not offer yet: an error that says so. */
export function notImplemented(rpc: string): DiagnosticMessage {
  return errorDiagnostic(
    `${rpc} is not implemented yet`,
    `The Gatehouse provider for Terraform does not implement ${rpc} yet: it plans, applies, reads and imports the resources and reads the data sources, but offers no functions, moves or other operations so far.`,
  );
}

/** Segment is one segment of an API field path: a field name or map key, or a list index. */
type Segment = string | number;

/** parseFieldPath splits a rendered path (`a.b[1]["x:y"]`) into its segments. */
export function parseFieldPath(path: string): Segment[] {
  const segments: Segment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(JSON.parse(m[3]) as string);
  }
  return segments;
}

/**
 * attributePath turns an API field path into Terraform path steps, walking the value's cty type
 * so that a map's key is an element key and an object's field is an attribute, named as
 * Terraform names it (`toAttributeName`).
 */
export function attributePath(path: string, type: CtyType, toAttributeName: (field: string) => string): PathStep[] {
  const steps: PathStep[] = [];
  let at: CtyType | undefined = type;
  for (const seg of parseFieldPath(path)) {
    if (typeof seg === 'number') {
      steps.push({ element_key_int: seg });
      at = Array.isArray(at) && (at[0] === 'list' || at[0] === 'set') ? (at[1] as CtyType) : undefined;
    } else if (Array.isArray(at) && at[0] === 'map') {
      steps.push({ element_key_string: seg });
      at = at[1] as CtyType;
    } else {
      const name = toAttributeName(seg);
      steps.push({ attribute_name: name });
      at = Array.isArray(at) && at[0] === 'object' ? (at[1] as Readonly<Record<string, CtyType>>)[name] : undefined;
    }
  }
  return steps;
}

/** renderSteps writes path steps the way Terraform shows them: `listeners[0].port`, `tags["k"]`. */
export function renderSteps(steps: readonly PathStep[]): string {
  let out = '';
  for (const s of steps) {
    if ('attribute_name' in s) out += out === '' ? s.attribute_name : `.${s.attribute_name}`;
    else if ('element_key_int' in s) out += `[${s.element_key_int}]`;
    else out += `[${JSON.stringify(s.element_key_string)}]`;
  }
  return out;
}
