/**
 * The fields of a read resource, laid out from its kind's output schema (the JSON Schema the API's
 * OpenAPI document is made of): each field's label comes from its name and its help from the
 * schema's description, nested objects become nested lists of fields, and lists become lists. No
 * field is named here by hand, so a field the schema gains shows up without a change here. A
 * reference (`defaultServerGroupId`, `additionalCertificateIds`) links to the resource it names.
 */
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import { isJsonObject, toJsonSchema, type JsonSchema } from '../../../schema/emit/json-schema.ts';
import { collectionOfField, collectionOfId, ResourceLink } from './resource-link.tsx';
import { DocText } from './doc-text.tsx';

const schemas = new WeakMap<ResourceKind, JsonSchema>();

/** outputSchema is a kind's output as JSON Schema, emitted once per kind. */
export function outputSchema(kind: ResourceKind): JsonSchema {
  let s = schemas.get(kind);
  if (!s) {
    s = toJsonSchema(kind.output, 'output');
    schemas.set(kind, s);
  }
  return s;
}

/** ACRONYMS are words of field names written in capitals in a label. */
const ACRONYMS = new Set(['http', 'http2', 'https', 'tls', 'id', 'ids', 'ca', 'dn', 'sha256', 'quic', 'sni', 'ip', 'url', 'waf', 'pem', 'udp', 'tcp']);

/** labelOf turns a field name into a label: `idleTimeout` → `Idle timeout`, `subjectDn` → `Subject DN`. */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
  return words.map((w, i) => (ACRONYMS.has(w) ? w.toUpperCase() : i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(' ');
}

/** Resolver follows `$ref`s into the root schema's `$defs`. */
type Resolver = (s: JsonSchema) => JsonSchema;

function resolver(root: JsonSchema): Resolver {
  const resolve: Resolver = (s) => {
    const ref = s.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#')) return s;
    let node: unknown = root;
    for (const part of ref.slice(2).split('/').filter((p) => p !== '')) node = isJsonObject(node) ? node[decodeURIComponent(part)] : undefined;
    return isJsonObject(node) ? resolve({ ...node, ...(typeof s.description === 'string' ? { description: s.description } : {}) }) : s;
  };
  return resolve;
}

/** pick chooses the alternative of an anyOf/oneOf that fits the value (an object for an object, …). */
function pick(s: JsonSchema, value: unknown, resolve: Resolver): JsonSchema {
  const alternatives = [s.anyOf, s.oneOf].find(Array.isArray) as unknown[] | undefined;
  if (!alternatives) return s;
  const want = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value;
  const fits = alternatives.filter(isJsonObject).map(resolve);
  const chosen = fits.find((a) => a.type === want || (want === 'number' && a.type === 'integer')) ?? fits[0];
  return chosen ? { ...chosen, ...(typeof s.description === 'string' ? { description: s.description } : {}) } : s;
}

/** ResourceFields lays out every field of a resource read, by its kind's output schema. */
export function ResourceFields({ kind, value }: { kind: ResourceKind; value: Record<string, unknown> }) {
  const root = outputSchema(kind);
  return <Fields schema={root} value={value} resolve={resolver(root)} label={`Fields of the ${kind.name}`} />;
}

function Fields({ schema, value, resolve, label }: { schema: JsonSchema; value: Record<string, unknown>; resolve: Resolver; label?: string }) {
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  const names = [...Object.keys(properties), ...Object.keys(value).filter((k) => !(k in properties))];
  return (
    <dl class="fields" aria-label={label}>
      {names.map((name) => {
        const raw = properties[name];
        const sub = isJsonObject(raw) ? pick(resolve(raw), value[name], resolve) : {};
        const help = typeof sub.description === 'string' ? sub.description : undefined;
        return (
          <div class="field" key={name} data-field={name}>
            <dt>
              {labelOf(name)}
              {help && (
                <span class="field-help">
                  <DocText text={help} />
                </span>
              )}
            </dt>
            <dd>
              <Value schema={sub} value={value[name]} name={name} resolve={resolve} />
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function Value({ schema, value, name, resolve }: { schema: JsonSchema; value: unknown; name: string; resolve: Resolver }) {
  if (value === undefined || value === null) return <span class="unset">not set</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="unset">none</span>;
    const items = isJsonObject(schema.items) ? resolve(schema.items) : {};
    return (
      <ol class="value-list">
        {(value as unknown[]).map((item, i) => (
          <li key={i}>
            <Value schema={pick(items, item, resolve)} value={item} name={name} resolve={resolve} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value);
    if (entries.length === 0) return <span class="unset">none</span>;
    // A map (tags) has no properties of its own: its keys are the labels, as written.
    if (!isJsonObject(schema.properties)) {
      return (
        <dl class="fields">
          {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
            <div class="field" key={k}>
              <dt>{k}</dt>
              <dd>
                <Value schema={isJsonObject(schema.additionalProperties) ? resolve(schema.additionalProperties) : {}} value={v} name={k} resolve={resolve} />
              </dd>
            </div>
          ))}
        </dl>
      );
    }
    return <Fields schema={schema} value={value as Record<string, unknown>} resolve={resolve} />;
  }
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>;
  if (typeof value === 'string') {
    const collection = collectionOfField(name) ?? (name === 'id' ? undefined : referenceById(value));
    if (collection) return <ResourceLink collection={collection} id={value} />;
    if (name === 'id' || /Id$/.test(name)) return <span class="id">{value}</span>;
    if (/Pem$/.test(name)) return <pre class="pem">{value}</pre>;
  }
  return <span>{typeof value === 'string' ? value : JSON.stringify(value)}</span>;
}

/** referenceById links a string that is unmistakably an id of a kind with its own prefix. */
function referenceById(value: string) {
  return /^[a-z]+-[a-z0-9]{10,}$/.test(value) ? collectionOfId(value) : undefined;
}
