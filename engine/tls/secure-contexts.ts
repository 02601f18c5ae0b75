/**
 * SecureContextCache builds the SecureContexts HTTPS listeners serve, once per distinct
 * content and shared by every listener that needs the same one: building a context parses PEM
 * and checks the key, the dominant cost of an apply with many HTTPS listeners.
 *
 * - A server context (the one a listener's TLS server hands every new connection) is keyed
 *   by (the listener's certificates with their names, policy settings, client CA): it carries
 *   the default certificate, the policy's versions and ciphers (E2), the client CA (E3), the
 *   ticket lifetime and its own rotating ticket keys (E5), and renegotiation off (E17). A
 *   thousand listeners on one certificate and policy share one, and a rotation rebuilds it
 *   once. Listeners sharing it resume each other's sessions, which is why every certificate
 *   and name a listener serves is part of the key: a session must not carry a client to a
 *   listener that would not prove the same identity for the same name (virtual-host
 *   confusion), and a policy or client-CA change must not be skipped by resuming.
 * - A certificate context (what SNI switches to for an additional certificate, E1) is keyed
 *   by (certificate content, client CA). Node takes only the certificate, key, chain and
 *   client-CA store from it; policy and ticket keys stay those of the server context, which is
 *   why the client CA is part of its key.
 */
import { constants, createHash } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { SnapshotCertificate, SnapshotTlsPolicy } from '../../schema/snapshot.ts';
import { describeError, ListenerApplyError } from '../errors.ts';
import { ContentKeys } from './content-keys.ts';
import { TicketKeyRotator } from './ticket-keys.ts';

/** SESSION_TICKET_LIFETIME_S is the ticket lifetime hint of E5 (the seed's FAQ: 300 s). */
export const SESSION_TICKET_LIFETIME_S = 300;

/**
 * SECURE_OPTIONS refuses renegotiation outright (E17): OpenSSL answers a client's
 * renegotiation request with a no_renegotiation alert instead of counting attempts.
 */
const SECURE_OPTIONS = constants.SSL_OP_NO_RENEGOTIATION;

/** BuiltContext is a shared context and the key that names it (keys of the two kinds never collide). */
export interface BuiltContext {
  readonly key: string;
  readonly context: SecureContext;
}

/** SecureContextCacheOptions are the engine-wide TLS settings of the contexts. */
export interface SecureContextCacheOptions {
  /** How often each server context replaces its session-ticket key, ms. */
  ticketKeyRotationMs: number;
}

interface ServerEntry extends BuiltContext {
  readonly rotator: TicketKeyRotator;
}

/** Failure remembers why a content combination did not build, so a thousand listeners sharing it try once. */
interface Failure {
  /** The certificate (with its CA) does not load on its own; otherwise the policy is at fault. */
  readonly certificateFault: boolean;
  readonly detail: string;
}

/** SecureContextCache owns one engine's shared contexts and their ticket-key rotation. */
export class SecureContextCache {
  /** keys names certificates and policies by content (memoised per frozen snapshot object). */
  readonly keys = new ContentKeys();
  private readonly ticketKeyRotationMs: number;
  private readonly servers = new Map<string, ServerEntry>();
  private readonly certificates = new Map<string, BuiltContext>();
  private failures = new Map<string, Failure>();
  /** builds counts contexts built so far (for tests: sharing and rebuilds are observable). */
  builds = 0;

  constructor(options: SecureContextCacheOptions) {
    this.ticketKeyRotationMs = options.ticketKeyRotationMs;
  }

  /**
   * serverContext returns the server context of a listener serving `certificates` (the
   * default first, then the additional ones) under `policy`, verifying clients against
   * `clientCa` when given; ListenerApplyError names the certificate or the policy at fault.
   */
  serverContext(certificates: readonly SnapshotCertificate[], policy: SnapshotTlsPolicy, clientCa: SnapshotCertificate | undefined): BuiltContext {
    const cert = certificates[0];
    if (!cert) throw new ListenerApplyError('an HTTPS listener needs a default certificate');
    const settings = this.keys.policy(policy);
    let served = '';
    for (const c of certificates) served += `${this.keys.certificate(c)}=${c.domains.join(',')};`;
    const caKey = clientCa ? this.keys.certificate(clientCa) : '';
    const key = `s|${served}|${settings.key}|${caKey}`;
    const known = this.servers.get(key);
    if (known) return known;
    const failed = this.failures.get(key);
    if (failed) throw serverFailure(failed, cert, policy);

    const options: SecureContextOptions = {
      cert: cert.certificatePem,
      key: cert.privateKeyPem,
      ...(clientCa ? { ca: clientCa.certificatePem } : {}),
      minVersion: settings.minVersion,
      maxVersion: settings.maxVersion,
      ciphers: settings.ciphers,
      honorCipherOrder: true,
      secureOptions: SECURE_OPTIONS,
      sessionTimeout: SESSION_TICKET_LIFETIME_S,
      // A session resumes only under the configuration that created it: a policy, certificate
      // or mutual-TLS change must not let an old session skip the new rules.
      sessionIdContext: createHash('sha256').update(key).digest('hex').slice(0, 32),
    };
    let context: SecureContext;
    try {
      context = createSecureContext(options);
      this.builds++;
    } catch (err) {
      const failure: Failure = { certificateFault: !this.loads(cert, clientCa), detail: describeError(err) };
      this.failures.set(key, failure);
      throw serverFailure(failure, cert, policy, err);
    }
    const native = context.context as { setTicketKeys(keys: Buffer): void };
    const rotator = new TicketKeyRotator({ setTicketKeys: (keys) => native.setTicketKeys(keys) }, this.ticketKeyRotationMs);
    rotator.start();
    const entry: ServerEntry = { key, context, rotator };
    this.servers.set(key, entry);
    return entry;
  }

  /** certificateContext returns the SNI context serving `cert`, verifying clients against `clientCa` when given. */
  certificateContext(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): BuiltContext {
    const key = `c|${this.keys.certificate(cert)}|${clientCa ? this.keys.certificate(clientCa) : ''}`;
    const known = this.certificates.get(key);
    if (known) return known;
    const failed = this.failures.get(key);
    if (failed) throw certificateFailure(cert, failed.detail);
    let context: SecureContext;
    try {
      context = createSecureContext({ cert: cert.certificatePem, key: cert.privateKeyPem, ...(clientCa ? { ca: clientCa.certificatePem } : {}) });
      this.builds++;
    } catch (err) {
      const detail = describeError(err);
      this.failures.set(key, { certificateFault: true, detail });
      throw certificateFailure(cert, detail, err);
    }
    const entry: BuiltContext = { key, context };
    this.certificates.set(key, entry);
    return entry;
  }

  /**
   * retain keeps the contexts named in `inUse` (those of every running listener configuration)
   * and forgets the rest, stopping their ticket-key rotation; remembered failures are
   * forgotten too, so the next apply tries again. Draining servers may still hold a forgotten
   * context: they accept no new connections, so they need no fresh ticket keys.
   */
  retain(inUse: ReadonlySet<string>): void {
    for (const [key, entry] of this.servers) {
      if (inUse.has(key)) continue;
      entry.rotator.close();
      this.servers.delete(key);
    }
    for (const key of this.certificates.keys()) if (!inUse.has(key)) this.certificates.delete(key);
    this.failures = new Map();
  }

  /** close stops every ticket-key rotation and forgets every context. Idempotent. */
  close(): void {
    this.retain(new Set());
  }

  /** size is the number of contexts kept (server and certificate contexts). */
  get size(): number {
    return this.servers.size + this.certificates.size;
  }

  /** loads tells whether a certificate loads on its own (only asked after a build failed). */
  private loads(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): boolean {
    try {
      createSecureContext({ cert: cert.certificatePem, key: cert.privateKeyPem, ...(clientCa ? { ca: clientCa.certificatePem } : {}) });
      return true;
    } catch {
      return false;
    }
  }
}

function serverFailure(failure: Failure, cert: SnapshotCertificate, policy: SnapshotTlsPolicy, cause?: unknown): ListenerApplyError {
  if (failure.certificateFault) return certificateFailure(cert, failure.detail, cause);
  return new ListenerApplyError(`TLS policy ${policy.id} cannot be applied with certificate ${cert.id}: ${failure.detail}`, cause === undefined ? undefined : { cause });
}

function certificateFailure(cert: SnapshotCertificate, detail: string, cause?: unknown): ListenerApplyError {
  return new ListenerApplyError(`certificate ${cert.id} cannot be loaded: ${detail}`, cause === undefined ? undefined : { cause });
}
