/**
 * A TerraformSchema as the protocol's `Schema` message: each attribute's cty type as the bytes
 * of its JSON, nested attributes as an `Object` with its nesting mode, descriptions as plain
 * text or Markdown.
 */
import type { TerraformAttribute, TerraformSchema } from './schema-source.ts';

/** SchemaMessage is the plain-object form of `tfplugin6.Schema` that the gRPC encoder takes. */
export interface SchemaMessage {
  version: number;
  block: { version: number; attributes: AttributeMessage[]; block_types: []; description: string; description_kind: 'PLAIN' | 'MARKDOWN'; deprecated: boolean };
}

/** AttributeMessage is the plain-object form of `tfplugin6.Schema.Attribute`. */
export interface AttributeMessage {
  name: string;
  type: Buffer;
  nested_type: { attributes: AttributeMessage[]; nesting: string } | null;
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  description_kind: 'PLAIN' | 'MARKDOWN';
  deprecated: boolean;
}

function kindOf(descriptionKind: string | undefined): 'PLAIN' | 'MARKDOWN' {
  return descriptionKind?.toUpperCase() === 'MARKDOWN' ? 'MARKDOWN' : 'PLAIN';
}

function encodeAttribute(a: TerraformAttribute): AttributeMessage {
  return {
    name: a.name,
    type: a.nestedType ? Buffer.alloc(0) : Buffer.from(JSON.stringify(a.type), 'utf8'),
    nested_type: a.nestedType ? { attributes: a.nestedType.attributes.map(encodeAttribute), nesting: a.nestedType.nesting } : null,
    description: a.description ?? '',
    required: a.required === true,
    optional: a.optional === true,
    computed: a.computed === true,
    sensitive: a.sensitive === true,
    description_kind: kindOf(a.descriptionKind),
    deprecated: a.deprecated === true,
  };
}

/** encodeSchema turns a TerraformSchema into the protocol's Schema message. */
export function encodeSchema(schema: TerraformSchema): SchemaMessage {
  return {
    version: schema.version,
    block: {
      version: schema.version,
      attributes: schema.block.attributes.map(encodeAttribute),
      block_types: [],
      description: schema.block.description ?? '',
      description_kind: kindOf(schema.block.descriptionKind),
      deprecated: false,
    },
  };
}
