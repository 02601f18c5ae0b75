/**
 * The five system TLS policies as API resources: listed before custom policies, readable by
 * id (= name), never stored, never writable.
 */
import { SYSTEM_TLS_POLICIES, systemPolicyById } from '../../schema/tls-policies.ts';
import { deepFreeze } from '../../schema/snapshot.ts';

/**
 * SYSTEM_POLICY_TIMESTAMP is the createdAt / updatedAt of the system policies: they are part
 * of the release, not of any store, so they carry the release's date rather than a start time
 * that would make every read of an unchanged policy look like a change.
 */
export const SYSTEM_POLICY_TIMESTAMP = '2026-01-01T00:00:00.000Z';

/** SYSTEM_POLICY_OUTPUTS are the system policies in API output form, in SPEC order. */
export const SYSTEM_POLICY_OUTPUTS: readonly Readonly<Record<string, unknown>>[] = SYSTEM_TLS_POLICIES.map((p) =>
  deepFreeze({
    id: p.id,
    version: 1,
    createdAt: SYSTEM_POLICY_TIMESTAMP,
    updatedAt: SYSTEM_POLICY_TIMESTAMP,
    name: p.name,
    tlsVersions: [...p.tlsVersions],
    ciphers: [...p.ciphers],
    tags: {},
    system: true,
  }),
);

/** systemPolicyOutput returns the output of a system policy id, or undefined. */
export function systemPolicyOutput(id: string): Readonly<Record<string, unknown>> | undefined {
  if (!systemPolicyById(id)) return undefined;
  return SYSTEM_POLICY_OUTPUTS.find((p) => p.id === id);
}
