/**
 * The Pulumi package schema (SPEC §5) built from the resources' JSON Schemas: one resource per
 * kind under `gatehouse:index:<Kind>`, nested objects as named types, replace fields flagged
 * `replaceOnChanges`, secret fields flagged `secret`, descriptions carried over (a resource's
 * ending with its cross-field rules), and the provider's `endpoint` / secret `token` configuration.
 */
import { ALL_RESOURCE_KINDS } from '../kinds.ts';
import type { ResourceKind } from '../resource-kind.ts';
import { resourceJsonSchemas, type JsonSchema } from './json-schema.ts';

/** PulumiPropertySpec is a property of a resource or object type in the package schema. */
export interface PulumiPropertySpec {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  items?: PulumiPropertySpec;
  additionalProperties?: PulumiPropertySpec;
  $ref?: string;
  description?: string;
  default?: string | number | boolean;
  defaultInfo?: { environment: string[] };
  secret?: boolean;
  replaceOnChanges?: boolean;
}

/** PulumiObjectTypeSpec is a named object type (`types` entry). */
export interface PulumiObjectTypeSpec {
  type: 'object';
  description?: string;
  properties: Record<string, PulumiPropertySpec>;
  required?: string[];
}

/** PulumiResourceSpec is one resource (or the provider) in the package schema. */
export interface PulumiResourceSpec {
  description?: string;
  properties: Record<string, PulumiPropertySpec>;
  required: string[];
  inputProperties: Record<string, PulumiPropertySpec>;
  requiredInputs: string[];
}

/** PulumiPackageSchema is the whole `schema.json`. */
export interface PulumiPackageSchema {
  name: string;
  displayName: string;
  version?: string;
  description: string;
  keywords: string[];
  license: string;
  publisher: string;
  pluginDownloadURL?: string;
  config: { variables: Record<string, PulumiPropertySpec>; defaults: string[] };
  provider: PulumiResourceSpec;
  resources: Record<string, PulumiResourceSpec>;
  types: Record<string, PulumiObjectTypeSpec>;
  language: Record<string, unknown>;
}

/** PULUMI_PACKAGE_NAME is the package name and the token prefix. */
export const PULUMI_PACKAGE_NAME = 'gatehouse';

/** The properties a Pulumi resource carries implicitly; they may not be declared. */
const IMPLICIT_PROPERTIES = new Set(['id', 'urn']);

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** An array's element type is named after the singular of the property (`servers` → `Server`). */
function singular(name: string): string {
  return name.endsWith('s') && name.length > 1 ? name.slice(0, -1) : name;
}

class TypeCollector {
  readonly types: Record<string, PulumiObjectTypeSpec> = {};

  /** property converts one JSON sub-schema; objects with properties become named types. */
  property(schema: JsonSchema, typeName: string): PulumiPropertySpec {
    const spec: PulumiPropertySpec = {};
    const type = schema.type;
    if (type === 'object' && schema.properties && typeof schema.properties === 'object') {
      const token = `${PULUMI_PACKAGE_NAME}:index:${typeName}`;
      this.objectType(schema, typeName);
      spec.$ref = `#/types/${token}`;
    } else if (type === 'object') {
      spec.type = 'object';
      const values = schema.additionalProperties;
      spec.additionalProperties = values && typeof values === 'object' ? this.property(values as JsonSchema, `${typeName}Value`) : { type: 'string' };
    } else if (type === 'array') {
      spec.type = 'array';
      spec.items = this.property((schema.items ?? {}) as JsonSchema, typeName);
    } else if (type === 'integer' || type === 'number' || type === 'boolean' || type === 'string') {
      spec.type = type;
    } else {
      throw new Error(`pulumi schema: unsupported JSON schema for ${typeName}: ${JSON.stringify(schema)}`);
    }
    if (typeof schema.description === 'string') spec.description = schema.description;
    const dflt = schema.default;
    if (typeof dflt === 'string' || typeof dflt === 'number' || typeof dflt === 'boolean') spec.default = dflt;
    return spec;
  }

  objectType(schema: JsonSchema, typeName: string): void {
    const token = `${PULUMI_PACKAGE_NAME}:index:${typeName}`;
    const properties: Record<string, PulumiPropertySpec> = {};
    for (const [name, sub] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
      const subName = sub.type === 'array' ? `${typeName}${pascal(singular(name))}` : `${typeName}${pascal(name)}`;
      properties[name] = this.property(sub, subName);
    }
    const spec: PulumiObjectTypeSpec = { type: 'object', properties };
    if (typeof schema.description === 'string') spec.description = schema.description;
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    if (required.length > 0) spec.required = [...required];
    this.types[token] = spec;
  }
}

function flag(props: Record<string, PulumiPropertySpec>, names: readonly string[], key: 'secret' | 'replaceOnChanges'): void {
  for (const name of names) {
    const p = props[name];
    if (p) p[key] = true;
  }
}

/** withRules ends a resource description with a "Rules:" paragraph listing what each of its top-level cross-field rules requires. */
function withRules(description: string, kind: ResourceKind): string {
  if (kind.rules.length === 0) return description;
  return `${description}\n\nRules:\n${kind.rules.map((rule) => `- ${rule.description}`).join('\n')}`;
}

function resourceSpec(kind: ResourceKind, collector: TypeCollector): PulumiResourceSpec {
  const { create, output } = resourceJsonSchemas(kind);
  const inputProperties: Record<string, PulumiPropertySpec> = {};
  for (const [name, sub] of Object.entries(create.properties as Record<string, JsonSchema>)) {
    inputProperties[name] = collector.property(sub, sub.type === 'array' ? `${kind.name}${pascal(singular(name))}` : `${kind.name}${pascal(name)}`);
  }
  const properties: Record<string, PulumiPropertySpec> = {};
  for (const [name, sub] of Object.entries(output.properties as Record<string, JsonSchema>)) {
    if (IMPLICIT_PROPERTIES.has(name)) continue;
    // Outputs that are also inputs share the input's (named) type; pure outputs are converted here.
    properties[name] = inputProperties[name]
      ? { ...inputProperties[name] }
      : collector.property(sub, sub.type === 'array' ? `${kind.name}${pascal(singular(name))}` : `${kind.name}${pascal(name)}`);
    delete properties[name].default;
  }
  // Secret inputs are never read back from the API, but Pulumi keeps them in state as secret outputs.
  for (const name of kind.secretFields) {
    if (inputProperties[name] && !properties[name]) {
      properties[name] = { ...inputProperties[name] };
      delete properties[name].default;
    }
  }
  flag(inputProperties, kind.secretFields, 'secret');
  flag(properties, kind.secretFields, 'secret');
  flag(inputProperties, kind.replaceFields, 'replaceOnChanges');
  flag(properties, kind.replaceFields, 'replaceOnChanges');
  const required = ((output.required as string[] | undefined) ?? []).filter((n) => !IMPLICIT_PROPERTIES.has(n));
  return {
    description: withRules(typeof create.description === 'string' ? create.description : kind.name, kind),
    properties,
    required,
    inputProperties,
    requiredInputs: [...((create.required as string[] | undefined) ?? [])],
  };
}

/** PROVIDER_DESCRIPTION says what the provider's configuration is, in the Pulumi and the Terraform schema alike. */
export const PROVIDER_DESCRIPTION = 'The Gatehouse provider: where the management API is and how to authenticate.';

/**
 * PROVIDER_CONFIG_PROPERTIES are the provider's settings — where the management API is and the
 * token it takes — with their descriptions and environment fallbacks; the Pulumi schema and the
 * Terraform provider's configuration schema both read them from here.
 */
export const PROVIDER_CONFIG_PROPERTIES: Readonly<Record<'endpoint' | 'token', Readonly<PulumiPropertySpec>>> = {
  endpoint: {
    type: 'string',
    description: 'URL of the Gatehouse management API, e.g. `http://127.0.0.1:9080`. Falls back to `GATEHOUSE_ENDPOINT`.',
    defaultInfo: { environment: ['GATEHOUSE_ENDPOINT'] },
  },
  token: {
    type: 'string',
    description: 'Bearer token of the management API. Falls back to `GATEHOUSE_TOKEN`. Secret.',
    defaultInfo: { environment: ['GATEHOUSE_TOKEN'] },
    secret: true,
  },
};

/**
 * PLUGIN_DOWNLOAD_URL_PLACEHOLDER is the committed schema's `pluginDownloadURL`: a pattern that
 * shows its shape (`${VERSION}` is the plugin version; the engine appends the archive's file
 * name) and that a publisher replaces at build time (`npm run pack -- --plugin-download-url`).
 */
export const PLUGIN_DOWNLOAD_URL_PLACEHOLDER = 'https://plugins.example.com/gatehouse/v${VERSION}';

/** SDK_PACKAGE_NAME is the npm name of the Node.js SDK: a publisher scope, as third-party Pulumi packages are named. */
export const SDK_PACKAGE_NAME = '@gatehouse/pulumi';

/**
 * PulumiSchemaOptions: the package version to stamp (the package.json version) and where the
 * plugin is downloaded from — the placeholder when not given, no location at all when `null`
 * (users then install the plugin archive themselves).
 */
export interface PulumiSchemaOptions {
  version?: string;
  pluginDownloadURL?: string | null;
}

/** languageSections are what `pulumi package gen-sdk` reads for each language it generates. */
function languageSections(): Record<string, unknown> {
  return {
    nodejs: {
      packageName: SDK_PACKAGE_NAME,
      packageDescription: 'Typed Pulumi resources for the Gatehouse application load balancer.',
      dependencies: { '@pulumi/pulumi': '^3.0.0' },
      respectSchemaVersion: true,
    },
    python: {
      packageName: 'pulumi_gatehouse',
      requires: { pulumi: '>=3.0.0,<4.0.0' },
      pyproject: { enabled: true },
      respectSchemaVersion: true,
    },
    go: {
      importBasePath: 'example.com/gatehouse/pulumi-gatehouse/sdk/go/gatehouse',
      generateResourceContainerTypes: true,
      respectSchemaVersion: true,
    },
    csharp: {
      rootNamespace: 'Gatehouse',
      packageReferences: { Pulumi: '3.*' },
      respectSchemaVersion: true,
    },
  };
}

/** buildPulumiSchema builds the package schema from the resource models; deterministic for one input. */
export function buildPulumiSchema(options: PulumiSchemaOptions = {}): PulumiPackageSchema {
  const downloadUrl = options.pluginDownloadURL === undefined ? PLUGIN_DOWNLOAD_URL_PLACEHOLDER : options.pluginDownloadURL;
  const collector = new TypeCollector();
  const resources: Record<string, PulumiResourceSpec> = {};
  for (const kind of ALL_RESOURCE_KINDS) resources[kind.token] = resourceSpec(kind, collector);
  const types: Record<string, PulumiObjectTypeSpec> = {};
  for (const token of Object.keys(collector.types).sort()) types[token] = collector.types[token]!;
  return {
    name: PULUMI_PACKAGE_NAME,
    displayName: 'Gatehouse',
    ...(options.version ? { version: options.version } : {}),
    description: 'Gatehouse: a self-hosted application load balancer declared as code — load balancers, HTTP/HTTPS and QUIC listeners, certificates, TLS security policies and server groups.',
    keywords: ['pulumi', 'gatehouse', 'load-balancer', 'category/network', 'kind/native'],
    license: 'Apache-2.0',
    publisher: 'Gatehouse',
    ...(downloadUrl === null ? {} : { pluginDownloadURL: downloadUrl }),
    config: { variables: structuredClone(PROVIDER_CONFIG_PROPERTIES), defaults: ['endpoint', 'token'] },
    provider: {
      description: PROVIDER_DESCRIPTION,
      properties: structuredClone(PROVIDER_CONFIG_PROPERTIES),
      required: [],
      inputProperties: structuredClone(PROVIDER_CONFIG_PROPERTIES),
      requiredInputs: [],
    },
    resources,
    types,
    language: languageSections(),
  };
}

/** renderPulumiSchema gives the exact text of `schema/pulumi/schema.json` (2-space JSON, final newline). */
export function renderPulumiSchema(options: PulumiSchemaOptions = {}): string {
  return `${JSON.stringify(buildPulumiSchema(options), null, 2)}\n`;
}
