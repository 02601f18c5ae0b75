/**
 * Names in Terraform: an attribute is the snake_case of its API field (`loadBalancerId` →
 * `load_balancer_id`, `http2Enabled` → `http2_enabled`), a resource type is `gatehouse_` plus
 * the snake_case of its kind (`gatehouse_server_group`).
 */
import type { ResourceKind } from '../resource-kind.ts';

/** TERRAFORM_PROVIDER_NAME is the provider's local name and the prefix of every type name. */
export const TERRAFORM_PROVIDER_NAME = 'gatehouse';

/**
 * toSnakeCase turns a camelCase (or PascalCase) name into snake_case: an underscore before each
 * upper-case letter but the first, all lower case; digits stay with the word before them.
 */
export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter, offset: number) => (offset === 0 ? letter.toLowerCase() : `_${letter.toLowerCase()}`));
}

/** toCamelCase turns a snake_case name back into camelCase: each `_x` becomes `X`. */
export function toCamelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** terraformTypeName is the Terraform resource type of a kind, e.g. `gatehouse_load_balancer`. */
export function terraformTypeName(kind: Pick<ResourceKind, 'name'>): string {
  return `${TERRAFORM_PROVIDER_NAME}_${toSnakeCase(kind.name)}`;
}
