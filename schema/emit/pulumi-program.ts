/**
 * "Show as code": the Pulumi TypeScript program that declares live resources with
 * `@gatehouse/pulumi`, and the `pulumi import` commands that adopt them. Pure and free of
 * Node.js, so the console bundles it; the tests type-check its output against the SDK and run
 * it under Pulumi's mocks.
 *
 * - Inputs are the live object read back as inputs (`inputsFromLive`, the provider's refresh
 *   and import reading), so output-only fields never appear and no field is named here.
 * - A string that is the id of another resource of the program becomes that resource's `.id`
 *   (the program then declares the dependency); any other id stays a literal.
 * - A system resource (a system TLS policy) is never declared: it is referred to by its id.
 * - A secret field (a certificate's `privateKeyPem`) is write-only in the API, so the program
 *   reads it from Pulumi config as a secret, when the kind's create model accepts it there.
 * - Pulumi names are slugs of the resources' names (or descriptions) and variables camelCase
 *   identifiers, both unique; every string is emitted as an escaped literal (no raw `<`, `>`,
 *   line or paragraph separators), so no text a resource holds can end a string or a comment.
 */
import type { ResourceKind } from '../resource-kind.ts';
import { RESOURCE_KIND_NAMES } from '../resource-kind.ts';
import { inputsFromLive } from '../pulumi-state/live-inputs.ts';
import type { PropertyMap, Value } from '../pulumi-state/values.ts';

/** LiveResource is one resource as the API returns it, with its kind. */
export interface LiveResource {
  readonly kind: ResourceKind;
  readonly live: Readonly<Record<string, unknown>>;
}

/** SecretConfig is one value the program reads from Pulumi config as a secret. */
export interface SecretConfig {
  /** The config key (in the project's namespace). */
  readonly key: string;
  /** The resource's Pulumi name. */
  readonly resource: string;
  /** The input field it fills. */
  readonly field: string;
}

/** ProgramResource is one resource the program declares. */
export interface ProgramResource {
  readonly kind: ResourceKind;
  readonly id: string;
  /** The Pulumi type token, e.g. `gatehouse:index:Listener`. */
  readonly type: string;
  /** The Pulumi resource name. */
  readonly name: string;
  /** The TypeScript variable that holds it. */
  readonly variable: string;
  /** Its inputs: the live object read as inputs (secrets absent, references as ids). */
  readonly inputs: PropertyMap;
  /** The secret fields it reads from config. */
  readonly secrets: readonly SecretConfig[];
}

/** PulumiProgram is the generated code for a set of live resources. */
export interface PulumiProgram {
  /** The declared resources, in dependency order. */
  readonly resources: readonly ProgramResource[];
  /** System resources the program refers to by id, never declares. */
  readonly systemIds: readonly string[];
  /** The program (index.ts). */
  readonly program: string;
  /** The same program with the `import` resource option on each resource. */
  readonly programWithImports: string;
  /** One `pulumi import <type> <name> <id>` command a line. */
  readonly importCommands: string;
}

/** RESERVED_WORDS cannot be variables; `pulumi`, `gatehouse` and `config` are the program's own names. */
const RESERVED_WORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private ' +
    'protected public static yield await async of any boolean number string symbol type from get set declare module namespace require ' +
    'undefined NaN Infinity arguments eval constructor prototype pulumi gatehouse config'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** literal renders text as a TypeScript string literal that no content can break out of. */
export function literal(text: string): string {
  return JSON.stringify(text).replace(/[<>\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** shellWord quotes a word for a POSIX shell when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_.:/@=+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** slugOf keeps the ASCII letters and digits of a text (accents dropped), lower case, joined by `-`. */
function slugOf(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

function camelOf(slug: string): string {
  return slug.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** baseName is what a resource's names derive from: its name, its description, else its kind and port. */
function baseName(r: LiveResource): string {
  const own = text(r.live.name) ?? text(r.live.description);
  if (own !== undefined && slugOf(own) !== '') return slugOf(own);
  const protocol = typeof r.live.protocol === 'string' && r.kind.name === 'Listener' ? r.live.protocol : r.kind.name === 'QuicListener' ? 'quic' : '';
  const port = typeof r.live.port === 'number' ? String(r.live.port) : '';
  return slugOf([protocol || slugOf(r.kind.name.replace(/([a-z])([A-Z])/g, '$1-$2')), port].filter((s) => s !== '').join('-'));
}

function unique(wanted: string, taken: Set<string>, join: (base: string, n: number) => string): string {
  let candidate = wanted;
  for (let n = 2; taken.has(candidate); n++) candidate = join(wanted, n);
  taken.add(candidate);
  return candidate;
}

function isPlainObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** referencedIds lists the strings of a resource's inputs (tags aside) that are ids of `candidates`. */
function referencedIds(inputs: PropertyMap, candidates: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const walk = (v: Value | undefined): void => {
    if (typeof v === 'string' && candidates.has(v)) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (isPlainObject(v)) for (const x of Object.values(v)) walk(x);
  };
  for (const [k, v] of Object.entries(inputs)) if (k !== 'tags') walk(v);
  return out;
}

/** isSystem tells whether a live resource is a read-only system resource (a system TLS policy). */
export function isSystem(r: LiveResource): boolean {
  return r.kind.systemResources && r.live.system === true;
}

function idOf(r: LiveResource): string {
  return String(r.live.id);
}

/**
 * loadBalancerResources picks, from the live resources of every kind, a load balancer and what
 * declaring it takes: its listeners and QUIC listeners, and the resources they refer to
 * (certificates, custom TLS policies, server groups, QUIC listeners), transitively.
 */
export function loadBalancerResources(loadBalancerId: string, pool: readonly LiveResource[]): LiveResource[] {
  const byId = new Map(pool.map((r) => [idOf(r), r]));
  const lb = byId.get(loadBalancerId);
  if (!lb) return [];
  const picked = new Map<string, LiveResource>([[loadBalancerId, lb]]);
  const queue = pool.filter((r) => r !== lb && r.live.loadBalancerId === loadBalancerId);
  const candidates = new Set(byId.keys());
  for (let r = queue.shift(); r; r = queue.shift()) {
    if (picked.has(idOf(r))) continue;
    picked.set(idOf(r), r);
    for (const id of referencedIds(inputsFromLive(r.kind, r.live), candidates)) {
      const next = byId.get(id);
      if (next && !picked.has(id)) queue.push(next);
    }
  }
  return [...picked.values()];
}

/** dependencyOrder sorts resources so that each comes after those it refers to (kind order, then given order, among equals). */
function dependencyOrder(resources: readonly { r: LiveResource; inputs: PropertyMap }[]): { r: LiveResource; inputs: PropertyMap }[] {
  const ids = new Set(resources.map((x) => idOf(x.r)));
  const rank = (x: { r: LiveResource }): number => {
    const order: readonly string[] = ['LoadBalancer', 'Certificate', 'TlsSecurityPolicy', 'ServerGroup', 'QuicListener', 'Listener'];
    const i = order.indexOf(x.r.kind.name);
    return i < 0 ? RESOURCE_KIND_NAMES.length : i;
  };
  const pending = [...resources].map((x, i) => ({ ...x, i, needs: new Set(referencedIds(x.inputs, ids).filter((id) => id !== idOf(x.r))) }));
  pending.sort((a, b) => rank(a) - rank(b) || a.i - b.i);
  const done = new Set<string>();
  const out: { r: LiveResource; inputs: PropertyMap }[] = [];
  while (pending.length > 0) {
    // A cycle cannot be declared by references either way; the first pending one goes then.
    const at = Math.max(0, pending.findIndex((x) => [...x.needs].every((id) => done.has(id))));
    const [next] = pending.splice(at, 1);
    if (!next) break;
    done.add(idOf(next.r));
    out.push({ r: next.r, inputs: next.inputs });
  }
  return out;
}

/** secretFieldsAccepted lists the kind's secret fields its create model accepts beside these inputs. */
function secretFieldsAccepted(kind: ResourceKind, inputs: PropertyMap): string[] {
  return kind.secretFields.filter((field) => {
    const parsed = kind.create.safeParse({ ...inputs, [field]: 'secret' });
    return parsed.success || !parsed.error.issues.some((issue) => issue.path[0] === field);
  });
}

/**
 * pulumiProgram generates the program that declares the given live resources (system ones are
 * referred to, not declared), in dependency order, with the import commands that adopt them.
 */
export function pulumiProgram(live: readonly LiveResource[]): PulumiProgram {
  const systemIds = live.filter(isSystem).map(idOf);
  const ordered = dependencyOrder(live.filter((r) => !isSystem(r)).map((r) => ({ r, inputs: inputsFromLive(r.kind, r.live) })));
  const names = new Set<string>();
  const variables = new Set<string>(RESERVED_WORDS);
  const resources: ProgramResource[] = ordered.map(({ r, inputs }) => {
    const name = unique(baseName(r), names, (b, n) => `${b}-${n}`);
    let variable = camelOf(name);
    if (!/^[a-z]/.test(variable) || RESERVED_WORDS.has(variable)) variable = `${lowerFirst(r.kind.name)}${upperFirst(variable)}`;
    // Each variable's id is exported as `<variable>Id`, so that name must be free too.
    let n = 1;
    const wanted = variable;
    while (variables.has(variable) || variables.has(`${variable}Id`)) variable = `${wanted}${++n}`;
    variables.add(variable).add(`${variable}Id`);
    const secrets = secretFieldsAccepted(r.kind, inputs).map((field) => ({ key: `${variable}${upperFirst(field)}`, resource: name, field }));
    return { kind: r.kind, id: idOf(r), type: r.kind.token, name, variable, inputs, secrets };
  });
  const importCommands = resources.map((r) => `pulumi import ${shellWord(r.type)} ${shellWord(r.name)} ${shellWord(r.id)}`).join('\n');
  return {
    resources,
    systemIds,
    program: render(resources, systemIds, false),
    programWithImports: render(resources, systemIds, true),
    importCommands: importCommands === '' ? '' : `${importCommands}\n`,
  };
}

function render(resources: readonly ProgramResource[], systemIds: readonly string[], withImports: boolean): string {
  const variableOf = new Map(resources.map((r) => [r.id, r.variable]));
  const lines: string[] = [
    '// Generated by the Gatehouse console from the live configuration.',
    withImports
      ? '// Each resource carries the `import` option: `pulumi up` adopts the existing object instead of creating one.'
      : '// To adopt the existing objects rather than create new ones, run the `pulumi import` commands first.',
  ];
  const secrets = resources.flatMap((r) => r.secrets);
  if (secrets.length > 0) lines.push("import * as pulumi from '@pulumi/pulumi';");
  lines.push("import * as gatehouse from '@gatehouse/pulumi';", '');
  if (secrets.length > 0) lines.push('const config = new pulumi.Config();', '');
  for (const id of systemIds) lines.push(`// ${literal(id)} is a system TLS policy: it is referred to by its id, never declared.`);
  if (systemIds.length > 0) lines.push('');
  for (const r of resources) {
    lines.push(`// ${r.kind.name} ${/^[A-Za-z0-9_-]+$/.test(r.id) ? r.id : literal(r.id)}`);
    for (const s of r.secrets) {
      lines.push(
        `// ${s.field} is write-only: the API never returns it, so it comes from Pulumi config as a secret:`,
        `//   pulumi config set --secret ${shellWord(s.key)} < key.pem`,
      );
    }
    const fields = Object.entries(r.inputs).map(([k, v]) => `  ${key(k)}: ${k === 'tags' ? emit(v, 1, new Map()) : emit(v, 1, variableOf, r.id)},`);
    for (const s of r.secrets) fields.push(`  ${key(s.field)}: config.requireSecret(${literal(s.key)}),`);
    // The API never returns a secret, so the import could not match it: it ignores the secret fields until the first update.
    const ignored = r.secrets.map((sec) => literal(sec.field));
    if (withImports && ignored.length > 0) {
      lines.push(`// The import ignores ${r.secrets.map((sec) => sec.field).join(', ')} (the API cannot show it); remove ignoreChanges after the import to manage it.`);
    }
    const options = withImports ? `, { import: ${literal(r.id)}${ignored.length > 0 ? `, ignoreChanges: [${ignored.join(', ')}]` : ''} }` : '';
    lines.push(`const ${r.variable} = new gatehouse.${r.kind.name}(${literal(r.name)}, {`, ...fields, `}${options});`, '');
  }
  if (resources.length > 0) {
    lines.push(...resources.map((r) => `export const ${r.variable}Id = ${r.variable}.id;`));
  }
  return `${lines.join('\n')}\n`;
}

function key(k: string): string {
  return IDENTIFIER.test(k) ? k : literal(k);
}

function emit(v: Value | undefined, depth: number, refs: ReadonlyMap<string, string>, selfId?: string): string {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (typeof v === 'string') {
    const variable = v !== selfId ? refs.get(v) : undefined;
    return variable !== undefined ? `${variable}.id` : literal(v);
  }
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => typeof x !== 'object' || x === null)) return `[${v.map((x) => emit(x, depth, refs, selfId)).join(', ')}]`;
    return `[\n${v.map((x) => `${pad}${emit(x, depth + 1, refs, selfId)},`).join('\n')}\n${end}]`;
  }
  if (isPlainObject(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad}${key(k)}: ${emit(x, depth + 1, refs, selfId)},`).join('\n')}\n${end}}`;
  }
  return 'null';
}
