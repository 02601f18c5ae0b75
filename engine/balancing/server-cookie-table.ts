/**
 * ServerCookieTable: the memory behind `stickySession.type: Server` (SPEC 1.6). When a backend
 * sets the group's cookie, the engine remembers which server set that value; a later request
 * carrying the value goes to the same server while it is in rotation. Entries expire
 * `cookieTimeout` seconds after they were last set or used, and the table holds at most
 * `maxEntries` values (least recently used go first), so a client inventing values cannot grow
 * it without bound. The table lives per server group across configuration changes (not across
 * restarts: after one, clients are scheduled afresh until their server sets the cookie again).
 *
 * Engines of several workers behind one port share what they learn: the table tells its `share`
 * hook when it learns a value that is new or now maps to another server, when a backend deletes
 * a value it holds, and when a use refreshes an entry last shared more than half a timeout ago
 * (so the engines that only heard of the value keep it alive too). A plain repeat of an
 * unchanged mapping within that window is not shared, so the hook's rate is bounded by the
 * number of sessions, not of requests. What other engines share is applied with
 * `apply`/`applyForget`, which never call the hook (no echo). Expiry and eviction stay local.
 */

/** SERVER_COOKIE_TABLE_MAX is the default bound on remembered cookie values per group. */
export const SERVER_COOKIE_TABLE_MAX = 100_000;

/** CookieShare is told a value's server (undefined: the value was forgotten). */
export type CookieShare = (value: string, server: string | undefined) => void;

/** ServerCookieTableOptions tune a table. */
export interface ServerCookieTableOptions {
  /** Bound on remembered values (default SERVER_COOKIE_TABLE_MAX). */
  maxEntries?: number | undefined;
  /** Told what other engines should learn (see the module comment). */
  share?: CookieShare | undefined;
}

interface Entry {
  server: string;
  expiresAt: number;
  /** When this mapping was last shared with (or heard from) other engines. */
  sharedAt: number;
}

/** ServerCookieTable maps cookie values to the server label (`address:port`) that set them. */
export class ServerCookieTable {
  private readonly entries = new Map<string, Entry>();
  private timeoutMs: number;
  private readonly maxEntries: number;
  private readonly share: CookieShare | undefined;

  constructor(timeoutMs: number, options: ServerCookieTableOptions = {}) {
    this.timeoutMs = timeoutMs;
    this.maxEntries = options.maxEntries ?? SERVER_COOKIE_TABLE_MAX;
    this.share = options.share;
  }

  /** size is the number of remembered values. */
  get size(): number {
    return this.entries.size;
  }

  /** setTimeout applies a changed cookieTimeout to values set or used from now on. */
  setTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  /** remember records that `server` set cookie value `value` (a backend's response), sharing it when others should learn it. */
  remember(value: string, server: string, now: number): void {
    const entry = this.entries.get(value);
    if (entry !== undefined && entry.server === server && entry.expiresAt > now) {
      this.touch(value, entry, now);
      return;
    }
    this.store(value, server, now);
    this.share?.(value, server);
  }

  /** forget drops a value (the backend deleted its cookie), sharing that when the table held it. */
  forget(value: string): void {
    if (this.entries.delete(value)) this.share?.(value, undefined);
  }

  /** apply records a mapping another engine shared, without sharing it again. */
  apply(value: string, server: string, now: number): void {
    this.store(value, server, now);
  }

  /** applyForget drops a value another engine forgot, without sharing it again. */
  applyForget(value: string): void {
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
    this.touch(value, entry, now);
    return entry.server;
  }

  /** touch refreshes a live entry's expiry and recency, sharing the refresh at most once per half timeout. */
  private touch(value: string, entry: Entry, now: number): void {
    entry.expiresAt = now + this.timeoutMs;
    // Most recently used last, so eviction takes the least recently used.
    this.entries.delete(value);
    this.entries.set(value, entry);
    if (this.share !== undefined && now - entry.sharedAt >= this.timeoutMs / 2) {
      entry.sharedAt = now;
      this.share(value, entry.server);
    }
  }

  /** live lists every value not yet expired at `now` with its server, least recently used first (a resync of another engine). */
  *live(now: number): IterableIterator<[value: string, server: string]> {
    for (const [value, entry] of this.entries) if (entry.expiresAt > now) yield [value, entry.server];
  }

  private store(value: string, server: string, now: number): void {
    const entries = this.entries;
    if (entries.has(value)) entries.delete(value);
    else if (entries.size >= this.maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(value, { server, expiresAt: now + this.timeoutMs, sharedAt: now });
  }
}
