/**
 * What the node remembers of `Server`-mode sticky values (SPEC 1.6) between workers: every value
 * a worker learned, with the server that set it, so that a worker started again (after a crash)
 * is told all of them and keeps sending each client to its server. One engine ServerCookieTable
 * per group — bounded, least recently shared first out, values expiring after the group's cookie
 * timeout — fed without sharing anything back; groups the configuration no longer holds with
 * Server stickiness are forgotten.
 */
import { SERVER_COOKIE_TABLE_MAX, ServerCookieTable, type ServerCookieEvent } from '../../engine/index.ts';
import type { EngineSnapshot } from '../../schema/snapshot.ts';

/** NodeStickyMemory is the supervisor's copy of the workers' Server-mode sticky values. */
export class NodeStickyMemory {
  readonly #tables = new Map<string, ServerCookieTable>();
  readonly #max: number;

  constructor(max = SERVER_COOKIE_TABLE_MAX) {
    this.#max = max;
  }

  /** configure keeps a table for each group with Server stickiness in `snapshot` (at its timeout) and forgets the rest. */
  configure(snapshot: EngineSnapshot): void {
    const wanted = new Set<string>();
    for (const g of snapshot.serverGroups) {
      if (!g.stickySession.enabled || g.stickySession.type !== 'Server') continue;
      wanted.add(g.id);
      const timeoutMs = g.stickySession.cookieTimeout * 1000;
      const table = this.#tables.get(g.id);
      if (table === undefined) this.#tables.set(g.id, new ServerCookieTable(timeoutMs, { maxEntries: this.#max }));
      else table.setTimeout(timeoutMs);
    }
    for (const id of this.#tables.keys()) if (!wanted.has(id)) this.#tables.delete(id);
  }

  /** learned records one worker's event (a value set, refreshed or forgotten). */
  learned(cookie: ServerCookieEvent, now = Date.now()): void {
    const table = this.#tables.get(cookie.groupId);
    if (table === undefined) return;
    if (cookie.server === undefined) table.applyForget(cookie.value);
    else table.apply(cookie.value, cookie.server, now);
  }

  /** values lists every value still within its group's timeout, for a worker's resync. */
  values(now = Date.now()): ServerCookieEvent[] {
    const out: ServerCookieEvent[] = [];
    for (const [groupId, table] of this.#tables) for (const [value, server] of table.live(now)) out.push({ groupId, value, server });
    return out;
  }
}
