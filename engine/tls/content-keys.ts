/**
 * ContentKeys names TLS inputs by their content, so the engine can tell an unchanged
 * certificate or policy in a snapshot rebuilt from scratch (new objects, same content) from a
 * changed one, and so equal material shared by many listeners is built once. Snapshots are
 * deep-frozen, so a key is computed once per object and remembered by identity; an object
 * that is not frozen could still change and is hashed every time.
 */
import { createHash } from 'node:crypto';
import type { SnapshotCertificate, SnapshotTlsPolicy } from '../../schema/snapshot.ts';
import { preferredCipherList, preferredTls13Suites } from './cipher-preference.ts';

/** PolicySettings is what a TLS policy sets on a server context, with its content key. */
export interface PolicySettings {
  readonly key: string;
  readonly minVersion: SnapshotTlsPolicy['openssl']['minVersion'];
  readonly maxVersion: SnapshotTlsPolicy['openssl']['maxVersion'];
  /** Both lists in one string, in the server's preference order; node:tls splits off the TLS_* names. */
  readonly ciphers: string;
}

/** ContentKeys memoises content keys per snapshot object; one per engine (no shared state). */
export class ContentKeys {
  private readonly certificates = new WeakMap<SnapshotCertificate, string>();
  private readonly policies = new WeakMap<SnapshotTlsPolicy, PolicySettings>();

  /** certificate keys a certificate's PEM and private key (its domains are not part of a context). */
  certificate(cert: SnapshotCertificate): string {
    const known = this.certificates.get(cert);
    if (known !== undefined) return known;
    const key = createHash('sha256').update(cert.certificatePem).update('\0').update(cert.privateKeyPem ?? '').digest('base64');
    if (Object.isFrozen(cert)) this.certificates.set(cert, key);
    return key;
  }

  /** policy resolves a policy's versions and preference-ordered ciphers, keyed by those settings alone. */
  policy(policy: SnapshotTlsPolicy): PolicySettings {
    const known = this.policies.get(policy);
    if (known !== undefined) return known;
    const o = policy.openssl;
    const tls12 = preferredCipherList(o.cipherList);
    const ciphers = o.tls13Suites ? `${tls12}:${preferredTls13Suites(o.tls13Suites)}` : tls12;
    const key = createHash('sha256').update(`${o.minVersion}|${o.maxVersion}|${ciphers}`).digest('base64');
    const settings: PolicySettings = Object.freeze({ key, minVersion: o.minVersion, maxVersion: o.maxVersion, ciphers });
    if (Object.isFrozen(policy) && Object.isFrozen(o)) this.policies.set(policy, settings);
    return settings;
  }
}
