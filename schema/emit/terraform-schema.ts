/**
 * The Terraform (plugin protocol 6) schemas of the provider, read from the kinds as the Pulumi
 * schema is: one resource per kind (`gatehouse_<kind>`), attributes named by the snake_case of
 * the API fields, nested objects as protocol 6 nested attributes, descriptions as emitted in the
 * JSON Schemas (ending with the facts' sentences), and the conversions between API bodies and
 * Terraform object values. Everything here is plain data; the plugin runtime encodes it.
 *
 * An input the create body requires is `required`; an input the server fills when it is omitted
 * (a default, an HTTPS default, a value every read carries) is `optional` and `computed`; any
 * other input is `optional`; an output only is `computed`; a secret is `sensitive`, and, being
 * write-only, never `computed`.
 */
import { z } from 'zod';
import { FACTS_KEY } from '../field-facts.ts';
import { ALL_RESOURCE_KINDS, RESOURCE_KINDS } from '../kinds.ts';
import type { ResourceKind } from '../resource-kind.ts';
import { isJsonObject, resourceJsonSchemas, type JsonSchema } from './json-schema.ts';
import { PROVIDER_CONFIG_PROPERTIES, PROVIDER_DESCRIPTION } from './pulumi-schema.ts';
import { TERRAFORM_PROVIDER_NAME, terraformTypeName, toCamelCase, toSnakeCase } from './terraform-names.ts';

export { TERRAFORM_PROVIDER_NAME, terraformTypeName, toCamelCase, toSnakeCase } from './terraform-names.ts';

/** CtyType is a cty type as Terraform writes it in JSON: `"string"`, `["list","string"]`, `["object",{…}]`. */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | ['list', CtyType]
  | ['set', CtyType]
  | ['map', CtyType]
  | ['object', { [name: string]: CtyType }];

/** TerraformNesting is how a nested attribute holds its objects. */
export type TerraformNesting = 'SINGLE' | 'LIST' | 'MAP' | 'SET';

/** TerraformDescriptionKind says how a description is written; ours use Markdown code spans. */
export type TerraformDescriptionKind = 'PLAIN' | 'MARKDOWN';

/** TerraformNestedType is the object type of a nested attribute (protocol 6 `Schema.Object`). */
export interface TerraformNestedType {
  attributes: TerraformAttribute[];
  nesting: TerraformNesting;
}

/** TerraformAttribute is one attribute (protocol 6 `Schema.Attribute`): either a cty `type` or a `nestedType`. */
export interface TerraformAttribute {
  name: string;
  type?: CtyType;
  nestedType?: TerraformNestedType;
  description: string;
  descriptionKind: TerraformDescriptionKind;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
}

/** TerraformBlock is the top-level block of a schema; ours has attributes only. */
export interface TerraformBlock {
  attributes: TerraformAttribute[];
  description: string;
  descriptionKind: TerraformDescriptionKind;
}

/** TerraformSchema is one protocol 6 `Schema`: of a resource, a data source or the provider. */
export interface TerraformSchema {
  version: number;
  block: TerraformBlock;
}

/** TerraformValue is an attribute's value as plain data: null when absent. */
export type TerraformValue = null | string | number | boolean | TerraformValue[] | { [name: string]: TerraformValue };

/** TerraformObject is the value of a block or of one nested object: every attribute by name. */
export type TerraformObject = { [name: string]: TerraformValue };

/** SCHEMA_VERSION is the version of every resource schema (no state upgrades yet). */
export const SCHEMA_VERSION = 0;

const MARKDOWN: TerraformDescriptionKind = 'MARKDOWN';

function propertiesOf(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  const props = schema?.properties;
  return isJsonObject(props) ? (props as Record<string, JsonSchema>) : {};
}

function requiredOf(schema: JsonSchema | undefined): Set<string> {
  const required = schema?.required;
  return new Set(Array.isArray(required) ? required.filter((r): r is string => typeof r === 'string') : []);
}

function descriptionOf(schema: JsonSchema | undefined): string {
  return typeof schema?.description === 'string' ? schema.description : '';
}

/** The facts a raw (undescribed) JSON Schema node carries under FACTS_KEY. */
interface NodeFacts {
  secret: boolean;
  httpsOnly: boolean;
  httpsDefault: boolean;
}

function factsAt(raw: JsonSchema | undefined): NodeFacts {
  const facts = raw?.[FACTS_KEY];
  if (!isJsonObject(facts)) return { secret: false, httpsOnly: false, httpsDefault: false };
  return { secret: facts.secret === true, httpsOnly: facts.httpsOnly === true, httpsDefault: facts.httpsDefault !== undefined };
}

/** An object schema with named properties becomes a nested attribute; an object of values is a map. */
function isNamedObject(schema: JsonSchema | undefined): boolean {
  return schema?.type === 'object' && isJsonObject(schema.properties);
}

function itemsOf(schema: JsonSchema | undefined): JsonSchema | undefined {
  return isJsonObject(schema?.items) ? schema.items : undefined;
}

/** ctyTypeOf converts a JSON Schema of a value without named properties to its cty type. */
function ctyTypeOf(schema: JsonSchema, where: string): CtyType {
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    case 'array': {
      const items = itemsOf(schema);
      if (!items) throw new Error(`terraform schema: ${where}: an array without items`);
      return ['list', ctyTypeOf(items, `${where}[]`)];
    }
    case 'object': {
      if (isNamedObject(schema)) {
        const attrs: { [name: string]: CtyType } = {};
        for (const [name, sub] of Object.entries(propertiesOf(schema))) attrs[toSnakeCase(name)] = ctyTypeOf(sub, `${where}.${name}`);
        return ['object', attrs];
      }
      const values = schema.additionalProperties;
      return ['map', isJsonObject(values) ? ctyTypeOf(values, `${where}{}`) : 'string'];
    }
    default:
      throw new Error(`terraform schema: ${where}: unsupported JSON Schema ${JSON.stringify(schema)}`);
  }
}

/**
 * The three readings of one object: its create (input) schema with the described fields, the
 * same schema as zod emits it with the facts still on its fields, and its output schema. Any may
 * be missing: an output-only object has no create side, a write-only field no output side.
 */
interface ObjectSides {
  create: JsonSchema | undefined;
  raw: JsonSchema | undefined;
  output: JsonSchema | undefined;
}

function objectAttributes(sides: ObjectSides, where: string): TerraformAttribute[] {
  const createProps = propertiesOf(sides.create);
  const rawProps = propertiesOf(sides.raw);
  const outputProps = propertiesOf(sides.output);
  const createRequired = requiredOf(sides.create);
  const outputRequired = requiredOf(sides.output);
  // Outputs in the order a read returns them, then the inputs a read never returns.
  const names = [...Object.keys(outputProps), ...Object.keys(createProps).filter((n) => !Object.hasOwn(outputProps, n))];
  const attributes: TerraformAttribute[] = [];
  for (const name of names) {
    const input = Object.hasOwn(createProps, name) ? createProps[name] : undefined;
    const output = Object.hasOwn(outputProps, name) ? outputProps[name] : undefined;
    const raw = Object.hasOwn(rawProps, name) ? rawProps[name] : undefined;
    const facts = factsAt(raw);
    const required = input !== undefined && createRequired.has(name);
    const optional = input !== undefined && !required;
    const filledByServer = input !== undefined && ('default' in input || outputRequired.has(name) || facts.httpsOnly || facts.httpsDefault);
    const computed = input === undefined || (optional && filledByServer && !facts.secret);
    const shown = input ?? output;
    if (shown === undefined) continue;
    const attribute: TerraformAttribute = {
      name: toSnakeCase(name),
      description: descriptionOf(shown),
      descriptionKind: MARKDOWN,
      required,
      optional,
      computed,
      sensitive: facts.secret,
    };
    const path = `${where}.${name}`;
    if (isNamedObject(shown)) {
      attribute.nestedType = { nesting: 'SINGLE', attributes: objectAttributes({ create: input, raw, output }, path) };
    } else if (shown.type === 'array' && isNamedObject(itemsOf(shown))) {
      attribute.nestedType = {
        nesting: 'LIST',
        attributes: objectAttributes({ create: itemsOf(input), raw: itemsOf(raw), output: itemsOf(output) }, `${path}[]`),
      };
    } else {
      attribute.type = ctyTypeOf(shown, path);
    }
    attributes.push(attribute);
  }
  return attributes;
}

/** withRules ends a resource description with its cross-field rules, one per line, as the Pulumi schema does. */
function withRules(description: string, kind: ResourceKind): string {
  if (kind.rules.length === 0) return description;
  return `${description}\n\nRules:\n${kind.rules.map((rule) => `- ${rule.description}`).join('\n')}`;
}

/** What one kind reads as in Terraform, built once. */
interface KindReading {
  schema: TerraformSchema;
  /** Top-level attributes that are inputs a read never returns (secrets): kept from the prior state. */
  writeOnly: ReadonlySet<string>;
}

const readings = new Map<ResourceKind, KindReading>();

function readingOf(kind: ResourceKind): KindReading {
  const cached = readings.get(kind);
  if (cached) return cached;
  const { create, output } = resourceJsonSchemas(kind);
  const raw = z.toJSONSchema(kind.create, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  const attributes = objectAttributes({ create, raw, output }, kind.name);
  const outputNames = new Set(Object.keys(propertiesOf(output)));
  const writeOnly = new Set(Object.keys(propertiesOf(create)).filter((n) => !outputNames.has(n)).map(toSnakeCase));
  const reading: KindReading = {
    schema: {
      version: SCHEMA_VERSION,
      block: { attributes, description: withRules(descriptionOf(create) || kind.name, kind), descriptionKind: MARKDOWN },
    },
    writeOnly,
  };
  readings.set(kind, reading);
  return reading;
}

/** terraformResourceSchema is the protocol 6 schema of a kind's resource, a fresh copy on every call. */
export function terraformResourceSchema(kind: ResourceKind): TerraformSchema {
  return structuredClone(readingOf(kind).schema);
}

/** terraformResourceSchemas are the schemas of every resource, by type name (`gatehouse_listener`, …). */
export function terraformResourceSchemas(): Record<string, TerraformSchema> {
  const out: Record<string, TerraformSchema> = {};
  for (const kind of ALL_RESOURCE_KINDS) out[terraformTypeName(kind)] = terraformResourceSchema(kind);
  return out;
}

/** kindByTerraformTypeName returns the kind of a resource type name (`gatehouse_server_group`), or undefined. */
export function kindByTerraformTypeName(typeName: string): ResourceKind | undefined {
  return ALL_RESOURCE_KINDS.find((kind) => terraformTypeName(kind) === typeName);
}

/**
 * requiresReplace lists the attributes whose change replaces the resource (the kind's replace
 * fields, snake_cased), for PlanResourceChange's `requires_replace`.
 */
export function requiresReplace(kind: ResourceKind): string[] {
  return kind.replaceFields.map(toSnakeCase);
}

function isComputedOnly(attribute: TerraformAttribute): boolean {
  return attribute.computed && !attribute.optional && !attribute.required;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function plainValue(value: unknown): TerraformValue {
  return value === undefined ? null : (structuredClone(value) as TerraformValue);
}

/** toObject reads one API object as a Terraform object: every attribute, absent ones null. */
function toObject(attributes: readonly TerraformAttribute[], body: Readonly<Record<string, unknown>>): TerraformObject {
  const out: TerraformObject = {};
  for (const attribute of attributes) {
    const value = body[toCamelCase(attribute.name)];
    out[attribute.name] = toAttributeValue(attribute, value);
  }
  return out;
}

function toAttributeValue(attribute: TerraformAttribute, value: unknown): TerraformValue {
  if (value === undefined || value === null) return null;
  const nested = attribute.nestedType;
  if (!nested) return plainValue(value);
  if (nested.nesting === 'SINGLE') {
    if (!isRecord(value)) throw new Error(`terraform value: ${attribute.name} is not an object`);
    return toObject(nested.attributes, value);
  }
  if (!Array.isArray(value)) throw new Error(`terraform value: ${attribute.name} is not a list`);
  return value.map((item: unknown) => {
    if (!isRecord(item)) throw new Error(`terraform value: an element of ${attribute.name} is not an object`);
    return toObject(nested.attributes, item);
  });
}

/** fromObject writes one Terraform object back as an API object: camelCase, no nulls, no outputs. */
function fromObject(attributes: readonly TerraformAttribute[], value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const attribute of attributes) {
    if (isComputedOnly(attribute)) continue;
    const v = value[attribute.name];
    if (v === undefined || v === null) continue;
    out[toCamelCase(attribute.name)] = fromAttributeValue(attribute, v);
  }
  return out;
}

function fromAttributeValue(attribute: TerraformAttribute, value: unknown): unknown {
  const nested = attribute.nestedType;
  if (!nested) return structuredClone(value);
  if (nested.nesting === 'SINGLE') {
    if (!isRecord(value)) throw new Error(`terraform value: ${attribute.name} is not an object`);
    return fromObject(nested.attributes, value);
  }
  if (!Array.isArray(value)) throw new Error(`terraform value: ${attribute.name} is not a list`);
  return value.map((item: unknown) => {
    if (!isRecord(item)) throw new Error(`terraform value: an element of ${attribute.name} is not an object`);
    return fromObject(nested.attributes, item);
  });
}

/**
 * toTerraformValue reads an API body (a read's output or a parsed create body) as the value of
 * a kind's resource: keys snake_cased, every attribute present (absent ones null), nested
 * objects alike; map keys (tags) are kept as they are. A read never returns a write-only secret,
 * so when `previous` (the prior state) is given, such attributes keep its value.
 */
export function toTerraformValue(kind: ResourceKind, apiBody: Readonly<Record<string, unknown>>, previous?: Readonly<TerraformObject>): TerraformObject {
  const { schema, writeOnly } = readingOf(kind);
  const value = toObject(schema.block.attributes, apiBody);
  if (previous) {
    for (const name of writeOnly) {
      if (value[name] === null && previous[name] !== undefined) value[name] = structuredClone(previous[name]) ?? null;
    }
  }
  return value;
}

/**
 * fromTerraformValue writes a resource value back as the API's body: keys camelCased, null
 * attributes and output-only attributes (id, version, status, …) dropped, nested objects alike.
 */
export function fromTerraformValue(kind: ResourceKind, tfValue: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return fromObject(readingOf(kind).schema.block.attributes, tfValue);
}

/** computedOnly turns an attribute and everything under it into an output. */
function computedOnly(attribute: TerraformAttribute): TerraformAttribute {
  const nestedType = attribute.nestedType
    ? { nesting: attribute.nestedType.nesting, attributes: attribute.nestedType.attributes.map(computedOnly) }
    : undefined;
  return { ...attribute, ...(nestedType ? { nestedType } : {}), required: false, optional: false, computed: true };
}

/** The attributes a read returns of a kind (what a data source can show), from its output schema only. */
function outputAttributes(kind: ResourceKind): TerraformAttribute[] {
  const { output } = resourceJsonSchemas(kind);
  return objectAttributes({ create: undefined, raw: undefined, output }, kind.name);
}

/** lookupByName is a data source that finds one resource of a kind by its name and shows what a read returns. */
function lookupByName(kind: ResourceKind, description: string): TerraformSchema {
  const attributes = outputAttributes(kind).map((attribute) =>
    attribute.name === 'name' ? { ...attribute, required: true, optional: false, computed: false } : attribute,
  );
  return { version: SCHEMA_VERSION, block: { attributes, description, descriptionKind: MARKDOWN } };
}

/** The fields of a TLS policy the `gatehouse_tls_policies` data source lists for each system policy. */
const TLS_POLICY_LIST_FIELDS = ['id', 'tlsVersions', 'ciphers'] as const;

function tlsPoliciesSchema(): TerraformSchema {
  const fields = new Set<string>(TLS_POLICY_LIST_FIELDS.map(toSnakeCase));
  const policyAttributes = outputAttributes(RESOURCE_KINDS.TlsSecurityPolicy)
    .filter((a) => fields.has(a.name))
    .map(computedOnly);
  const policies: TerraformAttribute = {
    name: 'policies',
    nestedType: { nesting: 'LIST', attributes: policyAttributes },
    description: 'The system TLS security policies, in the order the API lists them: each one\'s id (what a listener\'s `tls_policy_id` names), TLS versions and cipher suites.',
    descriptionKind: MARKDOWN,
    required: false,
    optional: false,
    computed: true,
    sensitive: false,
  };
  return {
    version: SCHEMA_VERSION,
    block: { attributes: [policies], description: 'The read-only system TLS security policies every listener may use.', descriptionKind: MARKDOWN },
  };
}

/**
 * terraformDataSourceSchemas are the data sources, by type name: `gatehouse_tls_policies` (the
 * system policies), `gatehouse_certificate` and `gatehouse_load_balancer` (one resource found by
 * its `name`; a certificate's private key is never shown, a read not returning it).
 */
export function terraformDataSourceSchemas(): Record<string, TerraformSchema> {
  return {
    [`${TERRAFORM_PROVIDER_NAME}_tls_policies`]: tlsPoliciesSchema(),
    [terraformTypeName(RESOURCE_KINDS.Certificate)]: lookupByName(
      RESOURCE_KINDS.Certificate,
      'A certificate found by its name: what a read returns of it (never its private key).',
    ),
    [terraformTypeName(RESOURCE_KINDS.LoadBalancer)]: lookupByName(RESOURCE_KINDS.LoadBalancer, 'A load balancer found by its name: what a read returns of it.'),
  };
}

/**
 * terraformProviderSchema is the provider's configuration: `endpoint` and the sensitive `token`,
 * both optional (each falls back to its environment variable), described where the Pulumi
 * schema describes them.
 */
export function terraformProviderSchema(): TerraformSchema {
  const attributes: TerraformAttribute[] = Object.entries(PROVIDER_CONFIG_PROPERTIES).map(([name, spec]) => {
    if (spec.type !== 'string') throw new Error(`terraform schema: provider setting ${name} is not a string`);
    return {
      name: toSnakeCase(name),
      type: 'string',
      description: spec.description ?? '',
      descriptionKind: MARKDOWN,
      required: false,
      optional: true,
      computed: false,
      sensitive: spec.secret === true,
    };
  });
  return {
    version: SCHEMA_VERSION,
    block: { attributes, description: PROVIDER_DESCRIPTION, descriptionKind: MARKDOWN },
  };
}

/**
 * toTerraformDataSourceValue reads what the API answered as the value of a data source (a
 * certificate or load balancer as read; `{ policies: [...] }` with the system TLS policies):
 * every attribute present, absent ones null, keys snake_cased.
 */
export function toTerraformDataSourceValue(typeName: string, apiBody: Readonly<Record<string, unknown>>): TerraformObject {
  const schema = terraformDataSourceSchemas()[typeName];
  if (!schema) throw new Error(`terraform value: unknown data source ${typeName}`);
  return toObject(schema.block.attributes, apiBody);
}
