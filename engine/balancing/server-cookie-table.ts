/**
 * ServerCookieTable: the memory behind `stickySession.type: Server` (SPEC 1.6). When a backend
 * sets the group's cookie, the engine remembers which server set that value; a later request
 * carrying the value goes to the same server while it is in rotation. Entries expire
 * `cookieTimeout` seconds after they were last set or used, and the table holds at most
 * `maxEntries` values (least recently used go first), so a client inventing values cannot grow
 * it without bound. The table lives per server group across configuration changes (not across
 * restarts: after one, clients are scheduled afresh until their server sets the cookie again).
 */

/** SERVER_COOKIE_TABLE_MAX is the default bound on remembered cookie values per group. */
export const SERVER_COOKIE_TABLE_MAX = 100_000;

interface Entry {
  server: string;
  expiresAt: number;
}

/** ServerCookieTable maps cookie values to the server label (`address:port`) that set them. */
export class ServerCookieTable {
  private readonly entries = new Map<string, Entry>();
  private timeoutMs: number;
  private readonly maxEntries: number;

  constructor(timeoutMs: number, maxEntries = SERVER_COOKIE_TABLE_MAX) {
    this.timeoutMs = timeoutMs;
    this.maxEntries = maxEntries;
  }

  /** size is the number of remembered values. */
  get size(): number {
    return this.entries.size;
  }

  /** setTimeout applies a changed cookieTimeout to values set or used from now on. */
  setTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  /** remember records that `server` set cookie value `value`. */
  remember(value: string, server: string, now: number): void {
    const entries = this.entries;
    const old = entries.get(value);
    if (old !== undefined) entries.delete(value);
    else if (entries.size >= this.maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(value, { server, expiresAt: now + this.timeoutMs });
  }

  /** forget drops a value (the backend deleted its cookie). */
  forget(value: string): void {
    this.entries.delete(value);
  }

  /** serverFor returns the server that set `value`, refreshing its expiry, or undefined. */
  serverFor(value: string, now: number): string | undefined {
    const entry = this.entries.get(value);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(value);
      return undefined;
    }
    entry.expiresAt = now + this.timeoutMs;
    // Most recently used last, so eviction takes the least recently used.
    this.entries.delete(value);
    this.entries.set(value, entry);
    return entry.server;
  }
}
