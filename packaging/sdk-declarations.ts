/**
 * The SDK package's TypeScript declarations, generated from the resource models' JSON Schemas
 * the way `pulumi package gen-sdk` writes them from a package schema: one `.d.ts` per resource
 * class with its arguments, its state and its outputs spelled out property by property, each
 * with the model's description as a doc comment, so that an editor's hover explains it.
 *
 * The checkout's SDK derives the same types from the zod models with generic helpers
 * (sdk/types.ts), which type-check but carry no per-property documentation. The two are kept
 * equal by a test that checks each generated type and its source counterpart are mutually
 * assignable.
 */
import { ALL_RESOURCE_KINDS } from '../schema/kinds.ts';
import type { ResourceKind } from '../schema/resource-kind.ts';
import { resourceJsonSchemas, type JsonSchema } from '../schema/emit/json-schema.ts';

/** DeclarationFile is one generated `.d.ts`, by its path inside the package. */
export interface DeclarationFile {
  readonly path: string;
  readonly text: string;
}

/** How a JSON Schema becomes a TypeScript type: as a program passes it, or as the state holds it. */
type Mode = 'input' | 'output';

const INDENT = '    ';

/** sdkModuleName is the SDK source file (and so the declaration file) a kind's class lives in. */
export function sdkModuleName(kind: ResourceKind): string {
  return kind.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

/** docComment renders a description as a JSDoc block at the given indent; `*\/` cannot end it early. */
function docComment(text: string | undefined, indent: string): string {
  if (!text) return '';
  const lines = text.replaceAll('*/', '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema.properties ?? {}) as Record<string, JsonSchema>;
}

function requiredOf(schema: JsonSchema): ReadonlySet<string> {
  return new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
}

function quoteKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/**
 * typeOf is the TypeScript type of a sub-schema. In input mode every level accepts a
 * `pulumi.Input` (a value, a Promise or an Output), as generated SDKs do; in output mode the
 * value is plain.
 */
function typeOf(schema: JsonSchema, mode: Mode, indent: string): string {
  const wrap = (t: string): string => (mode === 'input' ? `pulumi.Input<${t}>` : t);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const element = typeOf((schema.items ?? {}) as JsonSchema, mode, indent);
      const inner = mode === 'input' ? `pulumi.Input<${element}>` : element;
      return `${inner.includes(' | ') && mode === 'output' ? `(${inner})` : inner}[]`;
    }
    case 'object': {
      if (schema.properties && typeof schema.properties === 'object') return objectLiteral(schema, mode, indent);
      const values = schema.additionalProperties;
      const value = values && typeof values === 'object' ? typeOf(values as JsonSchema, mode, indent) : 'string';
      return `{ [key: string]: ${wrap(value)} }`;
    }
    default:
      throw new Error(`sdk declarations: unsupported JSON schema ${JSON.stringify(schema)}`);
  }
}

/** propertyType is a property's declared type: Input-wrapped at the property in input mode. */
function propertyType(schema: JsonSchema, mode: Mode, indent: string): string {
  const t = typeOf(schema, mode, indent);
  return mode === 'input' ? `pulumi.Input<${t}>` : t;
}

/** objectLiteral renders a nested object type with a documented member per property. */
function objectLiteral(schema: JsonSchema, mode: Mode, indent: string): string {
  const inner = indent + INDENT;
  const required = requiredOf(schema);
  let out = '{\n';
  for (const [name, sub] of Object.entries(propertiesOf(schema))) {
    out += docComment(sub.description as string | undefined, inner);
    out += `${inner}${quoteKey(name)}${required.has(name) ? '' : '?'}: ${propertyType(sub, mode, inner)};\n`;
  }
  return `${out}${indent}}`;
}

/** StateField is one property a resource object exposes: its schema and whether it is always set. */
interface StateField {
  readonly schema: JsonSchema;
  readonly alwaysSet: boolean;
}

/**
 * stateFields are the Outputs of a resource object: every field a read returns except `id`
 * (the CustomResource owns it), then the write-only secret inputs, which the state keeps.
 */
function stateFields(kind: ResourceKind, create: JsonSchema, output: JsonSchema): Map<string, StateField> {
  const fields = new Map<string, StateField>();
  const outputRequired = requiredOf(output);
  for (const [name, schema] of Object.entries(propertiesOf(output))) {
    if (name !== 'id') fields.set(name, { schema, alwaysSet: outputRequired.has(name) });
  }
  const createRequired = requiredOf(create);
  for (const name of kind.secretFields) {
    const schema = propertiesOf(create)[name];
    if (schema && !fields.has(name)) fields.set(name, { schema, alwaysSet: createRequired.has(name) });
  }
  return fields;
}

function list(names: readonly string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

/** resourceDeclaration renders the `.d.ts` of one resource class. */
function resourceDeclaration(kind: ResourceKind): string {
  const { create, output } = resourceJsonSchemas(kind);
  const name = kind.name;
  const description = typeof create.description === 'string' ? create.description : name;
  const createRequired = requiredOf(create);
  const state = stateFields(kind, create, output);
  const replaceNote = kind.replaceFields.length > 0 ? `\n\nChanging ${list(kind.replaceFields)} replaces it.` : '';
  const secretNote = kind.secretFields.length > 0 ? ` ${list(kind.secretFields)} ${kind.secretFields.length === 1 ? 'is a secret' : 'are secrets'} in the state.` : '';

  let out = `import * as pulumi from "@pulumi/pulumi";\n\n`;
  out += docComment(`${description}${replaceNote}${secretNote}`, '');
  out += `export declare class ${name} extends pulumi.CustomResource {\n`;
  out += docComment(`The type token the engine and the provider know this resource by.`, INDENT);
  out += `${INDENT}static readonly __pulumiType = ${JSON.stringify(kind.token)};\n`;
  out += docComment(`Looks up an existing ${name} by its id, optionally with extra state to qualify the lookup.`, INDENT);
  out += `${INDENT}static get(name: string, id: pulumi.Input<pulumi.ID>, state?: ${name}State, opts?: pulumi.CustomResourceOptions): ${name};\n`;
  out += docComment(`Tells whether an object is a ${name}, even one created by another copy of this SDK.`, INDENT);
  out += `${INDENT}static isInstance(obj: unknown): obj is ${name};\n`;
  for (const [field, { schema, alwaysSet }] of state) {
    out += docComment(schema.description as string | undefined, INDENT);
    const t = typeOf(schema, 'output', INDENT);
    out += `${INDENT}readonly ${quoteKey(field)}: pulumi.Output<${t}${alwaysSet ? '' : ' | undefined'}>;\n`;
  }
  out += docComment(`Creates a ${name}. Throws at once when an argument whose value is known is invalid, naming the property.`, INDENT);
  out += `${INDENT}constructor(name: string, args: ${name}Args, opts?: pulumi.CustomResourceOptions);\n`;
  out += `}\n\n`;

  const requiredInputs = [...createRequired];
  out += docComment(`The arguments of a ${name}${requiredInputs.length > 0 ? `; ${list(requiredInputs)} ${requiredInputs.length === 1 ? 'is' : 'are'} required` : ''}.`, '');
  out += `export interface ${name}Args {\n`;
  for (const [field, schema] of Object.entries(propertiesOf(create))) {
    out += docComment(schema.description as string | undefined, INDENT);
    out += `${INDENT}${quoteKey(field)}${createRequired.has(field) ? '' : '?'}: ${propertyType(schema, 'input', INDENT)};\n`;
  }
  out += `}\n\n`;

  out += docComment(`The state a program may pass to \`${name}.get\` to qualify the lookup.`, '');
  out += `export interface ${name}State {\n`;
  for (const [field, { schema }] of state) {
    out += docComment(schema.description as string | undefined, INDENT);
    out += `${INDENT}${quoteKey(field)}?: ${propertyType(schema, 'input', INDENT)};\n`;
  }
  out += `}\n`;
  return out;
}

/**
 * sdkDeclarations renders the declaration files of every resource class and the index that
 * re-exports them with the Provider (whose declaration the compiler emits from sdk/provider.ts).
 */
export function sdkDeclarations(): DeclarationFile[] {
  const files: DeclarationFile[] = [];
  let index = docComment('The Gatehouse Pulumi SDK: the resource classes, their arguments and state, and the Provider.', '');
  for (const kind of [...ALL_RESOURCE_KINDS].sort((a, b) => a.name.localeCompare(b.name))) {
    const module = sdkModuleName(kind);
    files.push({ path: `${module}.d.ts`, text: resourceDeclaration(kind) });
    index += `export { ${kind.name}, type ${kind.name}Args, type ${kind.name}State } from "./${module}.js";\n`;
  }
  index += `export { Provider, type ProviderArgs } from "./provider.js";\n`;
  files.push({ path: 'index.d.ts', text: index });
  return files;
}
