/**
 * Sticky sessions (SPEC 1.6 stickySession), decided per request before the scheduler:
 *
 * - `Insert`: the engine sets a cookie naming the server it chose —
 *   `gatehouse-<groupId>=<server id>; Max-Age=<cookieTimeout>; Path=/; HttpOnly`, refreshed on
 *   every response so the timeout runs from the client's last request. The server id is an
 *   opaque hash of the server's address and port (stable across applies and restarts, and it
 *   does not reveal the address). Naming the cookie after the group keeps two listeners on one
 *   host (cookies ignore ports) from overwriting each other's choice.
 * - `Server`: the backend sets its own cookie named `cookie`; the engine remembers which server
 *   set which value (ServerCookieTable) and sends later requests carrying it to that server.
 *
 * Either way a pinned server is used only while it is in rotation (healthy and weighted);
 * otherwise the scheduler chooses and, for Insert, the cookie is rewritten.
 */
import { createHash } from 'node:crypto';
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import type { Backend } from '../upstream/backend.ts';
import { cookieValue, readSetCookie } from './cookies.ts';
import type { ServerCookieTable } from './server-cookie-table.ts';

/** StickyInput is what stickiness reads from a request. */
export interface StickyInput {
  /** The request's Cookie field value (HTTP/2 fields joined), or undefined. */
  readonly cookieHeader: string | undefined;
}

/** insertCookieName is the cookie an `Insert` group sets. */
export function insertCookieName(groupId: string): string {
  return `gatehouse-${groupId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** STICKY_SERVER_ID_LENGTH is how many hexadecimal digits of a server's hash name it in an inserted cookie (64 bits). */
const STICKY_SERVER_ID_LENGTH = 16;

/** stickyServerId is the opaque id of a server in an inserted cookie. */
export function stickyServerId(label: string): string {
  return createHash('sha256').update(label).digest('hex').slice(0, STICKY_SERVER_ID_LENGTH);
}

/** Stickiness is one group runtime's sticky-session rule. */
export interface Stickiness {
  /** The pinned backend for a request, if any and in rotation. */
  pinned(input: StickyInput): Backend | undefined;
  /** Learns from a response's fields (Server mode); Insert mode ignores it. */
  learn(headers: readonly string[], backend: Backend): void;
}

/** InsertedCookie implements `Insert`. */
export class InsertedCookie implements Stickiness {
  readonly cookieName: string;
  private readonly byId = new Map<string, Backend>();

  constructor(groupId: string, cookieTimeout: number, backends: readonly Backend[]) {
    this.cookieName = insertCookieName(groupId);
    for (const b of backends) {
      const id = stickyServerId(b.label);
      this.byId.set(id, b);
      b.insertCookie = `${this.cookieName}=${id}; Max-Age=${cookieTimeout}; Path=/; HttpOnly`;
    }
  }

  pinned(input: StickyInput): Backend | undefined {
    const id = cookieValue(input.cookieHeader, this.cookieName);
    if (id === undefined) return undefined;
    const b = this.byId.get(id);
    return b !== undefined && b.inRotation ? b : undefined;
  }

  learn(): void {}
}

/** BackendCookie implements `Server`: remembers which server set which value of the backend's cookie. */
export class BackendCookie implements Stickiness {
  readonly cookieName: string;
  /** The group's table (shared by its runtimes), which Engine.rememberServerCookie also feeds. */
  readonly table: ServerCookieTable;
  private readonly byLabel = new Map<string, Backend>();

  constructor(cookieName: string, table: ServerCookieTable, backends: readonly Backend[]) {
    this.cookieName = cookieName;
    this.table = table;
    for (const b of backends) this.byLabel.set(b.label, b);
  }

  pinned(input: StickyInput): Backend | undefined {
    const value = cookieValue(input.cookieHeader, this.cookieName);
    if (value === undefined) return undefined;
    const label = this.table.serverFor(value, Date.now());
    if (label === undefined) return undefined;
    const b = this.byLabel.get(label);
    return b !== undefined && b.inRotation ? b : undefined;
  }

  learn(headers: readonly string[], backend: Backend): void {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length !== 10 || name.toLowerCase() !== 'set-cookie') continue;
      const set = readSetCookie(headers[i + 1]!, this.cookieName);
      if (set === undefined) continue;
      if (set.deletes) this.table.forget(set.value);
      else this.table.remember(set.value, backend.label, Date.now());
    }
  }
}

/** createStickiness builds a group runtime's rule; undefined when stickiness is off. */
export function createStickiness(
  config: SnapshotServerGroup,
  backends: readonly Backend[],
  table: () => ServerCookieTable,
): Stickiness | undefined {
  const s = config.stickySession;
  if (!s.enabled) return undefined;
  if (s.type === 'Insert') return new InsertedCookie(config.id, s.cookieTimeout, backends);
  if (s.cookie === undefined || s.cookie.length === 0) return undefined;
  const t = table();
  t.setTimeout(s.cookieTimeout * 1000);
  return new BackendCookie(s.cookie, t, backends);
}
