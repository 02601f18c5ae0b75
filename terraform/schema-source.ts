/**
 * What the provider needs of the Terraform reading of the resource kinds (the schema of each
 * resource type, which attributes replace a resource, and the conversion of a Terraform value to
 * an API body), as an interface: the provider service takes one, so that it is tested with any
 * source and wired to the kinds' own emitter in one place (main.ts).
 */
import type { ResourceKind } from '../schema/resource-kind.ts';
import type { CtyType } from './protocol/cty-msgpack.ts';

/** TerraformNesting is how a nested attribute holds its objects. */
export type TerraformNesting = 'SINGLE' | 'LIST' | 'MAP' | 'SET';

/** TerraformAttribute is one attribute of a schema: a cty type, or nested attributes. */
export interface TerraformAttribute {
  name: string;
  type?: unknown;
  nestedType?: { attributes: readonly TerraformAttribute[]; nesting: TerraformNesting };
  description?: string;
  descriptionKind?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
}

/** TerraformSchema is the schema of a resource type, a data source or the provider's configuration. */
export interface TerraformSchema {
  version: number;
  block: { attributes: readonly TerraformAttribute[]; description?: string; descriptionKind?: string };
}

/** TerraformSchemaSource gives the schemas and the conversions the provider service uses. */
export interface TerraformSchemaSource {
  /** kinds are the resource kinds offered, each with its Terraform type name. */
  readonly resources: readonly { typeName: string; kind: ResourceKind }[];
  /** dataSources are the data source schemas by type name. */
  dataSources(): Readonly<Record<string, TerraformSchema>>;
  resourceSchema(kind: ResourceKind): TerraformSchema;
  providerSchema(): TerraformSchema;
  /** toAttributeName is the Terraform name of an API field (`loadBalancerId` → `load_balancer_id`). */
  toAttributeName(field: string): string;
  /** toFieldName is the API name of a Terraform attribute (`load_balancer_id` → `loadBalancerId`). */
  toFieldName(attribute: string): string;
  /** fromTerraformValue turns a resource's Terraform value, every value known, into an API body. */
  fromTerraformValue(kind: ResourceKind, value: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /**
   * toTerraformValue reads an API body as a resource's Terraform value, every attribute present;
   * write-only attributes a read never returns keep their value from `previous`.
   */
  toTerraformValue(kind: ResourceKind, body: Readonly<Record<string, unknown>>, previous?: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** toDataSourceValue reads an API body (or `{ policies: [...] }`) as a data source's Terraform value, every attribute present. */
  toDataSourceValue(typeName: string, body: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** requiresReplace lists the top-level attributes whose change replaces the resource. */
  requiresReplace(kind: ResourceKind): readonly string[];
}

/** impliedType is the cty object type of a block's attributes: how its values travel. */
export function impliedType(attributes: readonly TerraformAttribute[]): CtyType {
  const members: Record<string, CtyType> = {};
  for (const a of attributes) members[a.name] = attributeType(a);
  return ['object', members];
}

function attributeType(a: TerraformAttribute): CtyType {
  if (a.nestedType) {
    const object = impliedType(a.nestedType.attributes);
    switch (a.nestedType.nesting) {
      case 'SINGLE':
        return object;
      case 'LIST':
        return ['list', object];
      case 'SET':
        return ['set', object];
      case 'MAP':
        return ['map', object];
    }
  }
  if (a.type === undefined) throw new Error(`attribute ${a.name} has neither a type nor nested attributes`);
  return a.type as CtyType;
}
