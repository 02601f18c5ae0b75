/**
 * Diff (SPEC §5): a detailed diff per property path (`forwardedHeaders.proto`,
 * `servers[1].weight`), ADD / UPDATE / DELETE, with the *_REPLACE kinds for the schema's replace
 * fields, and the decision whether a replacement must delete the old resource first.
 */
import { resourcePath } from '../../client/management-client.ts';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import { addressesOverlap } from '../../schema/rules/ports.ts';
import type { InputDiff } from '../../schema/pulumi-state/input-diff.ts';
import { isUnknown, type PropertyMap, type UNKNOWN, type Value } from '../marshal.ts';
import type { OperationContext } from './context.ts';

export { diffInputs } from '../../schema/pulumi-state/input-diff.ts';
export type { ChangeKind, PropertyChange } from '../../schema/pulumi-state/input-diff.ts';

/** DiffOutcome is the diff of one resource. */
export interface DiffOutcome extends InputDiff {
  deleteBeforeReplace: boolean;
  /** Why deleteBeforeReplace was chosen, for the log. */
  deleteBeforeReplaceReason?: string | undefined;
}

function isPlainObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * deleteBeforeReplace decides whether a replacement must delete the old resource first,
 * because creating the new one beside it would collide:
 * - a Listener / QuicListener that keeps its port (same transport, as the kind does not change)
 *   on the same load balancer, or on another whose address overlaps the old one's (rule P);
 *   when the new port or load balancer is not known yet, or an address cannot be read, it is
 *   treated as a collision — a failed apply is worse than a short gap;
 * - a Listener whose QUIC upgrade keeps the same QuicListener, which may be associated with
 *   one listener only.
 * Other kinds never collide with themselves: a new load balancer, certificate, server group or
 * policy can stand beside the old one while dependents are repointed.
 */
export async function deleteBeforeReplace(ctx: OperationContext, olds: PropertyMap, news: PropertyMap): Promise<{ value: boolean; reason?: string }> {
  const kind = ctx.kind;
  if (kind.name !== 'Listener' && kind.name !== 'QuicListener') return { value: false };
  const quicOld = quicTarget(olds);
  const quicNew = quicTarget(news);
  if (kind.name === 'Listener' && quicOld !== undefined && (isUnknown(quicNew) || quicNew === quicOld)) {
    return { value: true, reason: `the replacement keeps the QUIC listener ${String(quicOld)}, which only one listener may use` };
  }
  if (isUnknown(news.port)) return { value: true, reason: 'the new port is not known yet and may equal the old one' };
  if (news.port !== olds.port) return { value: false };
  const oldLb = olds.loadBalancerId;
  const newLb = news.loadBalancerId;
  if (newLb === oldLb) return { value: true, reason: `the replacement keeps load balancer ${shown(oldLb)} and port ${shown(olds.port)}` };
  if (isUnknown(newLb) || typeof newLb !== 'string' || typeof oldLb !== 'string') {
    return { value: true, reason: `the replacement keeps port ${shown(olds.port)} and its load balancer is not known yet` };
  }
  const [a, b] = await Promise.all([addressOf(ctx, oldLb), addressOf(ctx, newLb)]);
  if (a === undefined || b === undefined) {
    return { value: true, reason: `the replacement keeps port ${shown(olds.port)} and the load balancer addresses could not be read` };
  }
  if (addressesOverlap(a, b)) {
    return { value: true, reason: `the replacement keeps port ${shown(olds.port)} on an overlapping address (${a} / ${b})` };
  }
  return { value: false };
}

function quicTarget(inputs: PropertyMap): string | typeof UNKNOWN | undefined {
  const quic = inputs.quic;
  if (isUnknown(quic)) return quic;
  if (!isPlainObject(quic) || quic.upgradeEnabled !== true) return undefined;
  const id = quic.quicListenerId;
  if (isUnknown(id)) return id;
  return typeof id === 'string' ? id : undefined;
}

async function addressOf(ctx: OperationContext, lbId: string): Promise<string | undefined> {
  if (!ctx.api?.hasToken || !lbId.startsWith(RESOURCE_KINDS.LoadBalancer.idPrefix)) return undefined;
  try {
    const res = await ctx.api.get(resourcePath('load-balancers', lbId), { signal: ctx.signal });
    return typeof res.body.address === 'string' ? res.body.address : undefined;
  } catch {
    return undefined;
  }
}

/** shown renders a property value for a reason: text and numbers as they are, anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}
