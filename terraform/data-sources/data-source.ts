/**
 * ValidateDataResourceConfig and ReadDataSource: the data sources `gatehouse_tls_policies` (the
 * system TLS policies, from the API's list or, with the provider not configured, from the ones
 * this release ships) and `gatehouse_certificate` / `gatehouse_load_balancer` (one resource found
 * by its `name` in the API's list: none or more than one is an error at `name`).
 */
import type { ManagementClient } from '../../client/management-client.ts';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import { SYSTEM_TLS_POLICIES } from '../../schema/tls-policies.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { errorDiagnostic, type DiagnosticMessage } from '../diagnostics.ts';
import { UNKNOWN, type CtyType, type CtyValue } from '../protocol/cty-msgpack.ts';
import { impliedType, type TerraformSchemaSource } from '../schema-source.ts';
import { apiDiagnostics, decodeValue, encodeValue, isObjectValue, type DynamicValueMessage, type ResourceContext } from '../resources/context.ts';

/** TLS_POLICIES_TYPE_NAME is the data source of the system TLS policies. */
export const TLS_POLICIES_TYPE_NAME = 'gatehouse_tls_policies';

/** DataSourceContext is one operation on one data source type. */
export interface DataSourceContext {
  typeName: string;
  /** kind is the kind a lookup by name finds; undefined for the TLS policies. */
  kind: ResourceKind | undefined;
  type: CtyType;
  source: TerraformSchemaSource;
  client: ManagementClient | undefined;
  signal: AbortSignal;
}

/** ValidateDataRequest is the plain-object form of `ValidateDataResourceConfig.Request`. */
export interface ValidateDataRequest {
  type_name: string;
  config: DynamicValueMessage | null;
}

/** ReadDataRequest is the plain-object form of `ReadDataSource.Request`. */
export interface ReadDataRequest {
  type_name: string;
  config: DynamicValueMessage | null;
}

/** ReadDataResponse is the plain-object form of `ReadDataSource.Response`. */
export interface ReadDataResponse {
  state: DynamicValueMessage | null;
  diagnostics: DiagnosticMessage[];
}

/** dataSourceContext is what an operation on a data source needs; undefined for a type not offered. */
export function dataSourceContext(source: TerraformSchemaSource, typeName: string, client: ManagementClient | undefined, signal: AbortSignal): DataSourceContext | undefined {
  const schema = source.dataSources()[typeName];
  if (!schema) return undefined;
  const kind = typeName === TLS_POLICIES_TYPE_NAME ? undefined : source.resources.find((r) => r.typeName === typeName)?.kind;
  if (typeName !== TLS_POLICIES_TYPE_NAME && !kind) return undefined;
  return { typeName, kind, type: impliedType(schema.block.attributes), source, client, signal };
}

/** unknownDataSource is the error of a data source type not offered. */
export function unknownDataSource(source: TerraformSchemaSource, typeName: string): DiagnosticMessage {
  return errorDiagnostic(`Unknown data source ${typeName}`, `The Gatehouse provider offers ${Object.keys(source.dataSources()).join(', ')}.`);
}

const NAME_PATH = [{ attribute_name: 'name' }];

/** validateDataSource checks a data source's configuration: a lookup's `name`, when known, must not be empty. */
export function validateDataSource(ctx: DataSourceContext, req: ValidateDataRequest): DiagnosticMessage[] {
  if (!ctx.kind) return [];
  const config = decodeValue(req.config, ctx.type);
  if (!isObjectValue(config)) return [];
  const name = config.name;
  if (name === UNKNOWN || name === null || name === undefined) return [];
  if (name === '') return [errorDiagnostic(`Invalid value for name`, `${ctx.typeName} finds a resource by its name; the name must not be empty.`, NAME_PATH)];
  return [];
}

/** readDataSource answers one ReadDataSource. */
export async function readDataSource(ctx: DataSourceContext, req: ReadDataRequest): Promise<ReadDataResponse> {
  const config = decodeValue(req.config, ctx.type);
  if (!ctx.kind) return readTlsPolicies(ctx);
  if (!isObjectValue(config) || typeof config.name !== 'string') {
    return { state: null, diagnostics: [errorDiagnostic(`Cannot read ${ctx.typeName}: no name`, 'Set name to the name of the resource to find.', NAME_PATH)] };
  }
  return readByName(ctx, ctx.kind, config.name);
}

/** asResourceContext lets the resources' reading of the API's refusals serve a data source. */
function asResourceContext(ctx: DataSourceContext, kind: ResourceKind): ResourceContext {
  return { typeName: ctx.typeName, kind, type: ctx.type, attributes: [], source: ctx.source, client: ctx.client, signal: ctx.signal, leftUnready: new Set() };
}

function notConfigured(ctx: DataSourceContext): DiagnosticMessage | undefined {
  if (!ctx.client) {
    return errorDiagnostic(
      `Cannot read ${ctx.typeName}: the provider is not configured`,
      'The provider\'s endpoint or token is not known yet; set them in the provider block or as GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN.',
    );
  }
  if (!ctx.client.hasToken) return errorDiagnostic(`Cannot read ${ctx.typeName}: no token`, 'Set the provider\'s token, or GATEHOUSE_TOKEN, to a token of the Gatehouse management API.');
  return undefined;
}

async function readByName(ctx: DataSourceContext, kind: ResourceKind, name: string): Promise<ReadDataResponse> {
  const missing = notConfigured(ctx);
  if (missing || !ctx.client) return { state: null, diagnostics: missing ? [missing] : [] };
  let items: Record<string, unknown>[];
  try {
    items = await ctx.client.listAll(kind.collection, {}, { signal: ctx.signal });
  } catch (err) {
    return { state: null, diagnostics: apiDiagnostics(asResourceContext(ctx, kind), 'read', err) };
  }
  const found = items.filter((item) => item.name === name);
  if (found.length === 0) {
    return { state: null, diagnostics: [errorDiagnostic(`No ${ctx.typeName} named ${JSON.stringify(name)}`, `The Gatehouse API lists no ${kind.name} named ${JSON.stringify(name)}.`, NAME_PATH)] };
  }
  if (found.length > 1) {
    const ids = found.map((item) => String(item.id)).join(', ');
    return {
      state: null,
      diagnostics: [errorDiagnostic(`More than one ${ctx.typeName} named ${JSON.stringify(name)}`, `The Gatehouse API lists ${found.length} of them (${ids}); a lookup by name needs exactly one.`, NAME_PATH)],
    };
  }
  const value = ctx.source.toDataSourceValue(ctx.typeName, found[0]!);
  return { state: encodeValue(value as CtyValue, ctx.type), diagnostics: [] };
}

/**
 * readTlsPolicies lists the system policies: through the API when the provider is configured
 * with a token, else the ones this release ships (schema/tls-policies.ts), which are the same.
 */
async function readTlsPolicies(ctx: DataSourceContext): Promise<ReadDataResponse> {
  let policies: Record<string, unknown>[];
  if (ctx.client?.hasToken) {
    try {
      const items = await ctx.client.listAll('tls-policies', {}, { signal: ctx.signal });
      policies = items.filter((p) => p.system === true);
    } catch (err) {
      const diagnostics = apiDiagnostics(asResourceContext(ctx, RESOURCE_KINDS.TlsSecurityPolicy), 'read', err);
      return { state: null, diagnostics };
    }
  } else {
    policies = SYSTEM_TLS_POLICIES.map((p) => ({ id: p.id, tlsVersions: [...p.tlsVersions], ciphers: [...p.ciphers] }));
  }
  const value = ctx.source.toDataSourceValue(ctx.typeName, { policies });
  return { state: encodeValue(value as CtyValue, ctx.type), diagnostics: [] };
}
