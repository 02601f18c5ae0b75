/**
 * What the node remembers of `Server`-mode sticky values (SPEC 1.6) between workers: every value
 * a worker learned, with the server that set it, so that a worker started again (after a crash)
 * is told all of them and keeps sending each client to its server. Bounded like an engine's own
 * table — per group, least recently shared first out — and forgetting values older than the
 * group's cookie timeout and groups the configuration no longer holds.
 */
import type { EngineSnapshot } from '../../schema/snapshot.ts';
import type { SharedServerCookie } from './protocol.ts';

/** NODE_STICKY_MAX is how many values the node keeps per group (an engine keeps as many). */
export const NODE_STICKY_MAX = 100_000;

interface Remembered {
  readonly server: string;
  readonly at: number;
}

/** NodeStickyMemory is the supervisor's copy of the workers' Server-mode sticky values. */
export class NodeStickyMemory {
  readonly #groups = new Map<string, Map<string, Remembered>>();
  readonly #timeoutsMs = new Map<string, number>();
  readonly #max: number;

  constructor(max = NODE_STICKY_MAX) {
    this.#max = max;
  }

  /** configure keeps the groups with Server stickiness in `snapshot` (and their timeouts) and forgets the rest. */
  configure(snapshot: EngineSnapshot): void {
    this.#timeoutsMs.clear();
    for (const g of snapshot.serverGroups) {
      if (g.stickySession.enabled && g.stickySession.type === 'Server') this.#timeoutsMs.set(g.id, g.stickySession.cookieTimeout * 1000);
    }
    for (const id of this.#groups.keys()) if (!this.#timeoutsMs.has(id)) this.#groups.delete(id);
  }

  /** learned records one worker's event (a value set, refreshed or forgotten). */
  learned(cookie: SharedServerCookie, now = Date.now()): void {
    if (!this.#timeoutsMs.has(cookie.groupId)) return;
    let values = this.#groups.get(cookie.groupId);
    if (cookie.server === undefined) {
      values?.delete(cookie.value);
      return;
    }
    if (values === undefined) {
      values = new Map();
      this.#groups.set(cookie.groupId, values);
    }
    values.delete(cookie.value);
    if (values.size >= this.#max) {
      const oldest = values.keys().next();
      if (!oldest.done) values.delete(oldest.value);
    }
    values.set(cookie.value, { server: cookie.server, at: now });
  }

  /** values lists every value still within its group's timeout, for a worker's resync. */
  values(now = Date.now()): SharedServerCookie[] {
    const out: SharedServerCookie[] = [];
    for (const [groupId, values] of this.#groups) {
      const timeout = this.#timeoutsMs.get(groupId) ?? 0;
      for (const [value, r] of values) if (now - r.at < timeout) out.push({ groupId, value, server: r.server });
    }
    return out;
  }
}
