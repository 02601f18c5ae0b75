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
import { DerivedTicketKeys, TicketKeyRotator, type TicketKeys, type TicketSecretFeed } from './ticket-keys.ts';

/** SESSION_TICKET_LIFETIME_S is the ticket lifetime hint of E5 (the seed's FAQ: 300 s). */
export const SESSION_TICKET_LIFETIME_S = 300;

/**
 * SECURE_OPTIONS refuses renegotiation outright (E17): OpenSSL answers a client's
 * renegotiation request with a no_renegotiation alert instead of counting attempts.
 */
const SECURE_OPTIONS = constants.SSL_OP_NO_RENEGOTIATION;

/** SESSION_ID_CONTEXT_LENGTH is how many hex digits of the key's hash name a context's sessions (OpenSSL takes at most 32 bytes). */
const SESSION_ID_CONTEXT_LENGTH = 32;

/** BuiltContext is a shared context and the key that names it (keys of the two kinds never collide). */
export interface BuiltContext {
  readonly key: string;
  readonly context: SecureContext;
}

/** SecureContextCacheOptions are the engine-wide TLS settings of the contexts. */
export interface SecureContextCacheOptions {
  /** How often each server context replaces its session-ticket key, ms (without a shared secret). */
  ticketKeyRotationMs: number;
  /** The secret every engine of the node derives its ticket keys from, when there are several (EngineOptions.ticketSecret). */
  ticketSecret?: TicketSecretFeed | undefined;
}

/**
 * ContextSource is where a listener's TLS side takes its contexts from: the cache itself
 * (what it builds is kept at once) or a ContextDraft of it (what it builds is kept on commit).
 */
export interface ContextSource {
  /** keys names certificates and policies by content. */
  readonly keys: ContentKeys;
  /** serverContext returns the server context of a listener's certificates, policy and client CA; ListenerApplyError names the fault. */
  serverContext(certificates: readonly SnapshotCertificate[], policy: SnapshotTlsPolicy, clientCa: SnapshotCertificate | undefined): BuiltContext;
  /** certificateContext returns the SNI context serving `cert`, verifying clients against `clientCa` when given. */
  certificateContext(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): BuiltContext;
}

interface ServerEntry extends BuiltContext {
  readonly rotator: TicketKeys;
}

/** Failure remembers why a content combination did not build, so a thousand listeners sharing it try once. */
interface Failure {
  /** The certificate (with its CA) does not load on its own; otherwise the policy is at fault. */
  readonly certificateFault: boolean;
  readonly detail: string;
}

/** Shelf is what a cache keeps, as its drafts read and fill it. */
interface Shelf {
  readonly keys: ContentKeys;
  readonly ticketKeyRotationMs: number;
  readonly ticketSecret: TicketSecretFeed | undefined;
  readonly servers: Map<string, ServerEntry>;
  readonly certificates: Map<string, BuiltContext>;
  /** counts one context built (kept or not). */
  built(): void;
}

/** SecureContextCache owns one engine's shared contexts and their ticket-key rotation. */
export class SecureContextCache implements ContextSource {
  /** keys names certificates and policies by content (memoised per frozen snapshot object). */
  readonly keys = new ContentKeys();
  private readonly shelf: Shelf;
  /** direct builds what is asked of the cache itself; its remembered failures last until retain. */
  private direct: ContextDraft;
  /** builds counts contexts built so far, kept or not (for tests: sharing and rebuilds are observable). */
  builds = 0;

  constructor(options: SecureContextCacheOptions) {
    this.shelf = {
      keys: this.keys,
      ticketKeyRotationMs: options.ticketKeyRotationMs,
      ticketSecret: options.ticketSecret,
      servers: new Map(),
      certificates: new Map(),
      built: () => {
        this.builds++;
      },
    };
    this.direct = new ContextDraft(this.shelf);
  }

  /**
   * draft opens a ContextDraft: it serves the contexts this cache keeps and builds the missing
   * ones aside, so a snapshot can be prepared without touching what runs. Nothing of a draft
   * is kept, and no ticket-key timer runs for it, until it is committed.
   */
  draft(): ContextDraft {
    return new ContextDraft(this.shelf);
  }

  /**
   * serverContext returns the server context of a listener serving `certificates` (the
   * default first, then the additional ones) under `policy`, verifying clients against
   * `clientCa` when given, and keeps it; ListenerApplyError names the certificate or the
   * policy at fault.
   */
  serverContext(certificates: readonly SnapshotCertificate[], policy: SnapshotTlsPolicy, clientCa: SnapshotCertificate | undefined): BuiltContext {
    const built = this.direct.serverContext(certificates, policy, clientCa);
    this.direct.commit();
    return built;
  }

  /** certificateContext returns the SNI context serving `cert`, verifying clients against `clientCa` when given, and keeps it. */
  certificateContext(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): BuiltContext {
    const built = this.direct.certificateContext(cert, clientCa);
    this.direct.commit();
    return built;
  }

  /**
   * retain keeps the contexts named in `inUse` (those of every running listener configuration)
   * and forgets the rest, stopping their ticket-key rotation; remembered failures are
   * forgotten too, so the next apply tries again. Draining servers may still hold a forgotten
   * context: they accept no new connections, so they need no fresh ticket keys.
   */
  retain(inUse: ReadonlySet<string>): void {
    const { servers, certificates } = this.shelf;
    for (const [key, entry] of servers) {
      if (inUse.has(key)) continue;
      entry.rotator.close();
      servers.delete(key);
    }
    for (const key of certificates.keys()) if (!inUse.has(key)) certificates.delete(key);
    this.direct = new ContextDraft(this.shelf);
  }

  /** close stops every ticket-key rotation and forgets every context. Idempotent. */
  close(): void {
    this.retain(new Set());
  }

  /** size is the number of contexts kept (server and certificate contexts). */
  get size(): number {
    return this.shelf.servers.size + this.shelf.certificates.size;
  }
}

/**
 * ContextDraft is the contexts one prepared snapshot needs: those its cache keeps, plus those
 * it built aside. commit() hands the ones it built to the cache and starts their ticket-key
 * rotation; a draft never committed holds no timer and is simply dropped.
 */
export class ContextDraft implements ContextSource {
  readonly keys: ContentKeys;
  private readonly shelf: Shelf;
  private readonly servers = new Map<string, ServerEntry>();
  private readonly certificates = new Map<string, BuiltContext>();
  private readonly failures = new Map<string, Failure>();

  constructor(shelf: Shelf) {
    this.shelf = shelf;
    this.keys = shelf.keys;
  }

  serverContext(certificates: readonly SnapshotCertificate[], policy: SnapshotTlsPolicy, clientCa: SnapshotCertificate | undefined): BuiltContext {
    const cert = certificates[0];
    if (!cert) throw new ListenerApplyError('an HTTPS listener needs a default certificate');
    const settings = this.keys.policy(policy);
    let served = '';
    for (const c of certificates) served += `${this.keys.certificate(c)}=${c.domains.join(',')};`;
    const caKey = clientCa ? this.keys.certificate(clientCa) : '';
    const key = `s|${served}|${settings.key}|${caKey}`;
    const known = this.shelf.servers.get(key) ?? this.servers.get(key);
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
      sessionIdContext: createHash('sha256').update(key).digest('hex').slice(0, SESSION_ID_CONTEXT_LENGTH),
    };
    let context: SecureContext;
    try {
      context = createSecureContext(options);
      this.shelf.built();
    } catch (err) {
      const failure: Failure = { certificateFault: !loads(cert, clientCa), detail: describeError(err) };
      this.failures.set(key, failure);
      throw serverFailure(failure, cert, policy, err);
    }
    const native = context.context as { setTicketKeys(keys: Buffer): void };
    const target = { setTicketKeys: (keys: Buffer) => native.setTicketKeys(keys) };
    const secret = this.shelf.ticketSecret;
    const rotator = secret ? new DerivedTicketKeys(target, secret, key) : new TicketKeyRotator(target, this.shelf.ticketKeyRotationMs);
    const entry: ServerEntry = { key, context, rotator };
    this.servers.set(key, entry);
    return entry;
  }

  certificateContext(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): BuiltContext {
    const key = `c|${this.keys.certificate(cert)}|${clientCa ? this.keys.certificate(clientCa) : ''}`;
    const known = this.shelf.certificates.get(key) ?? this.certificates.get(key);
    if (known) return known;
    const failed = this.failures.get(key);
    if (failed) throw certificateFailure(cert, failed.detail);
    let context: SecureContext;
    try {
      context = createSecureContext({ cert: cert.certificatePem, key: cert.privateKeyPem, ...(clientCa ? { ca: clientCa.certificatePem } : {}) });
      this.shelf.built();
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
   * commit hands every context this draft built to its cache, which keeps it from now on (until
   * a retain leaves it out), and starts each server context's ticket-key rotation. Failures stay
   * remembered; the draft may go on building and be committed again.
   */
  commit(): void {
    for (const [key, entry] of this.servers) {
      // The engine commits a draft only while nothing else changed the cache since it was made.
      if (!this.shelf.servers.has(key)) {
        entry.rotator.start();
        this.shelf.servers.set(key, entry);
      }
    }
    for (const [key, entry] of this.certificates) if (!this.shelf.certificates.has(key)) this.shelf.certificates.set(key, entry);
    this.servers.clear();
    this.certificates.clear();
  }
}

/** loads tells whether a certificate loads on its own (only asked after a build failed). */
function loads(cert: SnapshotCertificate, clientCa: SnapshotCertificate | undefined): boolean {
  try {
    createSecureContext({ cert: cert.certificatePem, key: cert.privateKeyPem, ...(clientCa ? { ca: clientCa.certificatePem } : {}) });
    return true;
  } catch {
    return false;
  }
}

function serverFailure(failure: Failure, cert: SnapshotCertificate, policy: SnapshotTlsPolicy, cause?: unknown): ListenerApplyError {
  if (failure.certificateFault) return certificateFailure(cert, failure.detail, cause);
  return new ListenerApplyError(`TLS policy ${policy.id} cannot be applied with certificate ${cert.id}: ${failure.detail}`, {
    cause,
    fault: { kind: 'TlsSecurityPolicy', id: policy.id },
  });
}

function certificateFailure(cert: SnapshotCertificate, detail: string, cause?: unknown): ListenerApplyError {
  return new ListenerApplyError(`certificate ${cert.id} cannot be loaded: ${detail}`, { cause, fault: { kind: 'Certificate', id: cert.id } });
}
