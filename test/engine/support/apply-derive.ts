/**
 * Snapshot derivation the way the server's compiler hands snapshots over: a new snapshot
 * shares every unchanged listener, certificate, policy and group with the previous one as
 * the very same frozen object, and only what changed is a new object. Also TLS 1.2 session
 * helpers that show whether two connections were served from one secure context.
 */
import { expect } from 'vitest';
import { deepFreeze, type EngineSnapshot } from '../../../schema/snapshot.ts';
import { tlsHandshake } from './clients.ts';

/** Tables are the parts of a snapshot a derived one may replace. */
export type Tables = Partial<Pick<EngineSnapshot, 'loadBalancers' | 'listeners' | 'certificates' | 'tlsPolicies' | 'serverGroups'>>;

/** derive returns `base` at `version` with the given tables replaced, every other object shared. */
export function derive(base: EngineSnapshot, version: number, tables: Tables = {}): EngineSnapshot {
  return deepFreeze({ ...base, version, ...tables });
}

/** replaceById maps the one item with `id` through `change`, keeping every other item as it is. */
export function replaceById<T extends { id: string }>(items: readonly T[], id: string, change: (item: T) => T): T[] {
  let found = false;
  const out = items.map((item) => {
    if (item.id !== id) return item;
    found = true;
    return change(item);
  });
  if (!found) throw new Error(`no ${id} to replace`);
  return out;
}

/** freshSession completes a full TLS 1.2 handshake and returns its session. */
export async function freshSession(port: number, servername: string): Promise<Buffer> {
  const hs = await tlsHandshake(port, { servername, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', settleMs: 0 });
  if (!hs.ok || !hs.session) throw new Error(`no session: ${JSON.stringify(hs)}`);
  expect(hs.sessionReused).toBe(false);
  return hs.session;
}

/**
 * resumes tells whether a TLS 1.2 session resumes on `port`: it does exactly when the server
 * context that issued it (its ticket keys and session-id context) serves that port now.
 */
export async function resumes(port: number, servername: string, session: Buffer): Promise<boolean> {
  const hs = await tlsHandshake(port, { servername, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', session, settleMs: 0 });
  if (!hs.ok) throw new Error(hs.error);
  return hs.sessionReused;
}

/** servedCommonName opens a fresh TLS connection and reports the CN of the certificate served. */
export async function servedCommonName(port: number, servername: string): Promise<string> {
  const hs = await tlsHandshake(port, { servername, settleMs: 0 });
  if (!hs.ok) throw new Error(hs.error);
  return hs.commonName;
}
