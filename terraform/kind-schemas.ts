/**
 * The TerraformSchemaSource of the product: the six resource kinds read by the schema's
 * Terraform emitter (schema/emit/terraform-schema.ts), each under its `gatehouse_…` type name.
 */
import { ALL_RESOURCE_KINDS } from '../schema/kinds.ts';
import {
  fromTerraformValue,
  requiresReplace,
  terraformDataSourceSchemas,
  terraformProviderSchema,
  terraformResourceSchema,
  terraformTypeName,
  toCamelCase,
  toSnakeCase,
  toTerraformDataSourceValue,
  toTerraformValue,
  type TerraformObject,
} from '../schema/emit/terraform-schema.ts';
import type { TerraformSchemaSource } from './schema-source.ts';

/** kindSchemas builds the source once; the schemas are computed when first asked for. */
export function kindSchemas(): TerraformSchemaSource {
  return {
    resources: ALL_RESOURCE_KINDS.map((kind) => ({ typeName: terraformTypeName(kind), kind })),
    dataSources: () => terraformDataSourceSchemas(),
    resourceSchema: (kind) => terraformResourceSchema(kind),
    providerSchema: () => terraformProviderSchema(),
    toAttributeName: (field) => toSnakeCase(field),
    toFieldName: (attribute) => toCamelCase(attribute),
    fromTerraformValue: (kind, value) => fromTerraformValue(kind, value),
    toTerraformValue: (kind, body, previous) => toTerraformValue(kind, body, previous as Readonly<TerraformObject> | undefined),
    toDataSourceValue: (typeName, body) => toTerraformDataSourceValue(typeName, body),
    requiresReplace: (kind) => requiresReplace(kind),
  };
}
