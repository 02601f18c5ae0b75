/**
 * The fields of a resource form, derived from the kind's zod create schema through
 * `z.toJSONSchema` (as `schema/emit/json-schema.ts` emits the API's documents): each field's
 * control, bounds, default, choices, help text and facts (replace, secret, HTTPS only) come
 * from the schema; only labels, order, folding and which collection a reference picks from
 * come from the presentation table (presentation.ts).
 */
import { z } from 'zod';
import { FACTS_KEY, type FieldFacts } from '../../../schema/field-facts.ts';
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import { COMMON_OUTPUT_FIELDS } from '../../../schema/resources/common.ts';
import { presentationOf, type Presentation } from './presentation.ts';

/** Control is how a field is edited. */
export type Control =
  | 'text'
  | 'textarea'
  | 'number'
  | 'switch'
  | 'select'
  | 'reference'
  | 'reference-list'
  | 'string-list'
  | 'enum-set'
  | 'object-list'
  | 'group'
  | 'tags';

/** FieldSpec is one field of a form, as the schema declares it. */
export interface FieldSpec {
  /** The property name. */
  readonly key: string;
  /** The path in the schema, list items as `[]`: `forwardedHeaders.clientIp.enabled`, `servers[].port`. */
  readonly schemaPath: string;
  readonly control: Control;
  readonly label: string;
  /** The schema's description. */
  readonly help: string | undefined;
  readonly required: boolean;
  readonly default: unknown;
  readonly integer: boolean;
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly minLength: number | undefined;
  readonly maxLength: number | undefined;
  /** The choices of a select or an enum set. */
  readonly options: readonly string[];
  /** The fields of a group, or of each item of an object list. */
  readonly children: readonly FieldSpec[];
  readonly facts: FieldFacts;
  readonly presentation: Presentation;
}

type Json = { [key: string]: unknown };

function isJson(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** humanize turns a property name into a label: `idleTimeout` → `Idle timeout`. */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function controlOf(node: Json, presentation: Presentation): Control {
  const items = isJson(node.items) ? node.items : undefined;
  switch (node.type) {
    case 'boolean':
      return 'switch';
    case 'integer':
    case 'number':
      return 'number';
    case 'array':
      if (items && Array.isArray(items.enum)) return 'enum-set';
      if (items && items.type === 'object') return 'object-list';
      return presentation.reference ? 'reference-list' : 'string-list';
    case 'object':
      return isJson(node.properties) ? 'group' : 'tags';
    default:
      if (Array.isArray(node.enum)) return 'select';
      if (presentation.reference) return 'reference';
      return (num(node.maxLength) ?? 0) > 1000 ? 'textarea' : 'text';
  }
}

function specsOf(kind: ResourceKind, node: Json, base: string, skip: ReadonlySet<string>): FieldSpec[] {
  const properties = isJson(node.properties) ? node.properties : {};
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const specs: FieldSpec[] = [];
  for (const [key, raw] of Object.entries(properties)) {
    if (!isJson(raw) || skip.has(key)) continue;
    const schemaPath = base === '' ? key : `${base}.${key}`;
    const presentation = presentationOf(kind.name, schemaPath);
    if (presentation.hidden) continue;
    const control = controlOf(raw, presentation);
    const items = isJson(raw.items) ? raw.items : undefined;
    const childNode = control === 'group' ? raw : control === 'object-list' ? items : undefined;
    const facts: unknown = raw[FACTS_KEY];
    const optionSource = control === 'enum-set' ? items?.enum : raw.enum;
    specs.push({
      key,
      schemaPath,
      control,
      label: presentation.label ?? humanize(key),
      help: typeof raw.description === 'string' ? raw.description : undefined,
      required: required.has(key) && raw.default === undefined,
      default: raw.default,
      integer: raw.type === 'integer',
      minimum: num(raw.minimum),
      maximum: num(raw.maximum),
      minLength: num(raw.minLength),
      maxLength: num(raw.maxLength),
      options: Array.isArray(optionSource) ? optionSource.map(String) : [],
      children: childNode ? specsOf(kind, childNode, control === 'object-list' ? `${schemaPath}[]` : schemaPath, new Set()) : [],
      facts: isJson(facts) ? (facts) : {},
      presentation,
    });
  }
  return specs.sort((a, b) => (a.presentation.order ?? 100) - (b.presentation.order ?? 100));
}

const cache = new Map<string, readonly FieldSpec[]>();

/**
 * formFields lists the fields of a kind's form: its create body's properties (the read-only
 * outputs are never edited), in the presentation's order.
 */
export function formFields(kind: ResourceKind): readonly FieldSpec[] {
  const cached = cache.get(kind.name);
  if (cached) return cached;
  const json = z.toJSONSchema(kind.create, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  const skip = new Set<string>([...COMMON_OUTPUT_FIELDS, ...kind.outputFields]);
  const specs = specsOf(kind, json, '', skip);
  cache.set(kind.name, specs);
  return specs;
}

/** findField finds a field by its schema path in a list of fields (searching groups and list items). */
export function findField(specs: readonly FieldSpec[], schemaPath: string): FieldSpec | undefined {
  for (const s of specs) {
    if (s.schemaPath === schemaPath) return s;
    const inner = findField(s.children, schemaPath);
    if (inner) return inner;
  }
  return undefined;
}

/** defaultFor is the value a field takes when omitted: its default, or on an HTTPS listener its HTTPS default. */
export function defaultFor(spec: FieldSpec, https: boolean): unknown {
  if (spec.default !== undefined) return spec.default;
  return https ? spec.facts.httpsDefault : undefined;
}
