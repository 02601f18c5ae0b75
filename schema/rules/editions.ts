/**
 * Edition gating (SPEC 1.1, 1.2, 1.5): a `Basic` load balancer has no mutual TLS, no client-IP
 * retrieval and no custom TLS policy; editions move up from Basic, and from StandardWithWaf
 * down to Standard, never back to Basic.
 */
import type { FieldError } from '../errors.ts';
import type { Edition } from '../resources/load-balancer.ts';
import { systemPolicyById } from '../tls-policies.ts';
import type { Candidate } from './references.ts';
import type { World } from './world.ts';

/** ALLOWED_EDITION_CHANGES lists every permitted move between two different editions. */
export const ALLOWED_EDITION_CHANGES: readonly (readonly [Edition, Edition])[] = Object.freeze([
  ['Basic', 'Standard'],
  ['Basic', 'StandardWithWaf'],
  ['StandardWithWaf', 'Standard'],
] as const);

/** checkEditionChange returns the failure of an edition change, or none when it is allowed (or no change). */
export function checkEditionChange(from: Edition, to: Edition): FieldError[] {
  if (from === to || ALLOWED_EDITION_CHANGES.some(([a, b]) => a === from && b === to)) return [];
  const why = to === 'Basic' ? 'a load balancer never goes back to Basic' : 'allowed: Basic→Standard, Basic→StandardWithWaf, StandardWithWaf→Standard';
  return [{ path: 'edition', code: 'VALIDATION_FAILED', message: `the edition cannot change from ${from} to ${to} (${why})` }];
}

/** checkListenerEdition returns the EDITION_UNSUPPORTED failures of a listener body on its load balancer. */
export function checkListenerEdition(candidate: Candidate, world: World): FieldError[] {
  const lbId = candidate.loadBalancerId;
  const lb = typeof lbId === 'string' ? world.get('LoadBalancer', lbId) : undefined;
  if (!lb || lb.edition !== 'Basic') return [];
  const errors: FieldError[] = [];
  const unsupported = (path: string, feature: string) =>
    errors.push({ path, code: 'EDITION_UNSUPPORTED', message: `${feature} is not available on a Basic load balancer (${lb.id})` });
  if ((candidate.mutualAuthentication as { enabled?: boolean } | undefined)?.enabled) unsupported('mutualAuthentication.enabled', 'mutual TLS');
  const fh = candidate.forwardedHeaders as { clientIp?: { enabled?: boolean } } | undefined;
  if (fh?.clientIp?.enabled) unsupported('forwardedHeaders.clientIp.enabled', 'client IP retrieval');
  const policyId = candidate.tlsPolicyId;
  if (typeof policyId === 'string' && !systemPolicyById(policyId) && world.get('TlsSecurityPolicy', policyId)) unsupported('tlsPolicyId', 'a custom TLS policy');
  return errors;
}
