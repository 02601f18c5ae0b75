/**
 * TicketKeyRotator gives one TLS server fresh session-ticket keys on an interval (E5), so a
 * stolen key only opens tickets issued during one interval. Node holds a single ticket key
 * per context: tickets issued before a rotation fall back to a full handshake.
 */
import { randomBytes } from 'node:crypto';

/** TicketKeyTarget is what the rotator needs from a TLS server. */
export interface TicketKeyTarget {
  setTicketKeys(keys: Buffer): void;
}

/** TICKET_KEY_BYTES is node:tls's ticket key size: 16 bytes name, 16 HMAC, 16 AES. */
const TICKET_KEY_BYTES = 48;

/** TicketKeyRotator owns the rotation timer of one server. */
export class TicketKeyRotator {
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

  /** start installs a key and begins rotating. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.target.setTicketKeys(this.keys);
    this.timer = setInterval(() => this.rotate(), this.intervalMs);
    this.timer.unref();
  }

  /** rotate installs a new random key now (also used when the server's context is replaced). */
  rotate(): void {
    this.keys = randomBytes(TICKET_KEY_BYTES);
    this.rotations++;
    this.target.setTicketKeys(this.keys);
  }

  /** close stops rotating. Idempotent. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
