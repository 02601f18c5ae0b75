/**
 * Session-ticket keys of the TLS server contexts (E5). Node holds a single ticket key per
 * context: tickets issued under an earlier key fall back to a full handshake. Two ways to keep
 * them:
 *
 * - TicketKeyRotator: a fresh random key on an interval, so a stolen key only opens tickets of
 *   one interval. Right for one engine alone.
 * - DerivedTicketKeys: the key derived from a secret every engine of a node shares (a
 *   TicketSecretFeed, which its owner rotates on the same interval), so that a ticket issued by
 *   one worker's engine resumes on any other's. Each context derives its own key from the
 *   secret and its content key: contexts stay as separate as with random keys (a policy or
 *   certificate change still ends resumption), and the secret itself is never a ticket key.
 */
import { hkdfSync, randomBytes } from 'node:crypto';

/** TicketKeyTarget is what the keys are installed on: a TLS server context. */
export interface TicketKeyTarget {
  setTicketKeys(keys: Buffer): void;
}

/** TicketKeys keeps one context's ticket key current from start to close. */
export interface TicketKeys {
  /** start installs a key and keeps it current. Idempotent. */
  start(): void;
  /** close stops keeping it current. Idempotent. */
  close(): void;
}

/** TICKET_KEY_BYTES is node:tls's ticket key size: 16 bytes name, 16 HMAC, 16 AES. */
const TICKET_KEY_BYTES = 48;

/** MIN_SECRET_BYTES is the least a shared ticket secret may hold. */
export const MIN_SECRET_BYTES = 32;

/** TicketKeyRotator owns the rotation timer of one server. */
export class TicketKeyRotator implements TicketKeys {
  private readonly target: TicketKeyTarget;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private keys: Buffer = randomBytes(TICKET_KEY_BYTES);
  /** rotations counts key changes (for tests). */
  rotations = 0;

  constructor(target: TicketKeyTarget, intervalMs: number) {
    this.target = target;
    this.intervalMs = intervalMs;
  }

  start(): void {
    if (this.timer) return;
    this.target.setTicketKeys(this.keys);
    this.timer = setInterval(() => this.rotate(), this.intervalMs);
    this.timer.unref();
  }

  /** rotate installs a new random key now. */
  rotate(): void {
    this.keys = randomBytes(TICKET_KEY_BYTES);
    this.rotations++;
    this.target.setTicketKeys(this.keys);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** TicketSecretFeed is the secret the engines of one node share, and its changes. */
export interface TicketSecretFeed {
  /** current is the secret in force (MIN_SECRET_BYTES or more). */
  current(): Buffer;
  /** subscribe calls `listener` after each change of the secret; it returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** SharedTicketSecret is a TicketSecretFeed its owner sets: the supervisor of the workers, or a test. */
export class SharedTicketSecret implements TicketSecretFeed {
  private secret: Buffer;
  private readonly listeners = new Set<() => void>();

  constructor(secret: Buffer = randomBytes(MIN_SECRET_BYTES)) {
    this.secret = checkedSecret(secret);
  }

  current(): Buffer {
    return this.secret;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** set puts a new secret in force; every context derives its new key at once. */
  set(secret: Buffer): void {
    this.secret = checkedSecret(secret);
    for (const listener of this.listeners) listener();
  }
}

function checkedSecret(secret: Buffer): Buffer {
  if (secret.length < MIN_SECRET_BYTES) throw new RangeError(`a ticket secret needs ${MIN_SECRET_BYTES} bytes or more, not ${secret.length}`);
  return Buffer.from(secret);
}

/** deriveTicketKey is one context's ticket key under `secret`: HKDF-SHA256, the context's content key as its info. */
export function deriveTicketKey(secret: Buffer, contextKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `gatehouse ticket key\0${contextKey}`, TICKET_KEY_BYTES));
}

/** DerivedTicketKeys keeps one context's key derived from a shared secret, following its changes. */
export class DerivedTicketKeys implements TicketKeys {
  private readonly target: TicketKeyTarget;
  private readonly feed: TicketSecretFeed;
  private readonly contextKey: string;
  private unsubscribe: (() => void) | undefined;

  constructor(target: TicketKeyTarget, feed: TicketSecretFeed, contextKey: string) {
    this.target = target;
    this.feed = feed;
    this.contextKey = contextKey;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.install();
    this.unsubscribe = this.feed.subscribe(() => this.install());
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private install(): void {
    this.target.setTicketKeys(deriveTicketKey(this.feed.current(), this.contextKey));
  }
}
