/**
 * SecureContextCache builds the per-certificate SecureContexts that SNI selection hands to
 * node:tls (E1). Building one parses PEM and checks the key, so it happens at apply time,
 * once per distinct (certificate content, client CA) pair, shared by every listener that
 * serves the same certificate.
 */
import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { SnapshotCertificate } from '../../schema/snapshot.ts';
import { describeError, ListenerApplyError } from '../errors.ts';

/**
 * SecureContextCache keeps the contexts the latest configuration uses. Node takes only the
 * certificate, key, chain and client-CA store from an SNI context (the policy and the ticket
 * keys come from the server's own context), which is why the client CA is part of the key.
 */
export class SecureContextCache {
  private entries = new Map<string, SecureContext>();
  private touched = new Map<string, SecureContext>();

  /** certificateContext returns the context serving `cert`, verifying clients against `clientCa` when given. */
  certificateContext(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): SecureContext {
    const key = contentKey(cert, clientCa);
    let context = this.touched.get(key) ?? this.entries.get(key);
    if (!context) {
      try {
        context = createSecureContext({
          cert: cert.certificatePem,
          key: cert.privateKeyPem,
          ...(clientCa ? { ca: clientCa.certificatePem } : {}),
        });
      } catch (err) {
        throw new ListenerApplyError(`certificate ${cert.id} cannot be loaded: ${describeError(err)}`, { cause: err });
      }
    }
    this.touched.set(key, context);
    return context;
  }

  /**
   * endGeneration forgets the contexts the finished apply did not use; listeners still
   * holding one (a configuration kept after a failure) keep it alive themselves.
   */
  endGeneration(): void {
    this.entries = this.touched;
    this.touched = new Map();
  }

  /** size is the number of cached contexts (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

function contentKey(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): string {
  const h = createHash('sha256');
  h.update(cert.certificatePem).update('\0').update(cert.privateKeyPem ?? '').update('\0');
  if (clientCa) h.update(clientCa.certificatePem);
  return h.digest('base64');
}
