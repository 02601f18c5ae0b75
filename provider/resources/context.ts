/**
 * OperationContext is what one resource operation (check, diff, create, read, update, delete)
 * works with: the kind, the resource's name, the API client when the provider is configured,
 * the engine log and the cancellation signal.
 */
import type { ResourceKind } from '../../schema/resource-kind.ts';
import type { ManagementClient } from '../../client/management-client.ts';
import type { Logger } from '../engine-log.ts';
import type { ResourceLabel } from './errors.ts';

/** OperationContext carries the per-call facts of a resource operation. */
export interface OperationContext {
  kind: ResourceKind;
  urn: string;
  /** The Pulumi resource name. */
  name: string;
  /** The API client; undefined when the provider has no usable configuration (e.g. during a preview with a computed token). */
  api: ManagementClient | undefined;
  log: Logger;
  /** Aborted by Cancel: polling loops and requests stop. */
  signal: AbortSignal;
}

/** labelOf names the resource of a context for messages. */
export function labelOf(ctx: OperationContext, id?: string): ResourceLabel {
  return { kind: ctx.kind, name: ctx.name, id };
}

/** sameValue compares two JSON values structurally (key order ignored). */
export { sameValue } from '../../schema/pulumi-state/values.ts';
