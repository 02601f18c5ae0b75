/**
 * EngineOptions.ticketSecret: engines that share one ticket secret (the workers of a node) each
 * derive a server context's ticket key from it, so a ticket issued by one resumes on another,
 * for TLS 1.2 and 1.3. Controls: engines with secrets of their own do not resume each other's
 * tickets; a new secret ends resumption of tickets issued before it; a policy change still gets
 * a key of its own under the same secret. The key derivation is checked on its own too.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SharedTicketSecret } from '../../../engine/index.ts';
import { deriveTicketKey, MIN_SECRET_BYTES } from '../../../engine/tls/ticket-keys.ts';
import type { EngineSnapshot } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { tlsHandshake } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';

type Version = 'TLSv1.2' | 'TLSv1.3';

let cert: Issued;
const harnesses: EngineHarness[] = [];

beforeAll(async () => {
  cert = await issueCertificate({ commonName: 'shared.test', dnsNames: ['shared.test'] }, await createCa());
});

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** engineOn starts an engine with `secret` serving one HTTPS listener (policy `policy`) and returns its port and a re-apply. */
async function engineOn(secret: SharedTicketSecret, policy = 'tls_cipher_policy_1_2_strict_with_1_3'): Promise<{ port: number; reapply: (version: number, policy: string) => Promise<void> }> {
  const h = new EngineHarness({ ticketSecret: secret });
  harnesses.push(h);
  const backend = await h.backend('a');
  const snapshot = (version: number, p: string): EngineSnapshot =>
    buildSnapshot({
      version,
      listeners: [httpsListener('lsn-t', 'sgp-1', 'cert-t', { tlsPolicyId: p }, { version })],
      certificates: [serverCertificate('cert-t', cert, ['shared.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
  const port = portOf(await h.apply(snapshot(1, policy)), 'lsn-t');
  return { port, reapply: async (version, p) => void (await h.apply(snapshot(version, p))) };
}

async function ticketFrom(port: number, version: Version): Promise<Buffer> {
  const hs = await tlsHandshake(port, { servername: 'shared.test', minVersion: version, maxVersion: version });
  if (!hs.ok || !hs.session) throw new Error(`no session ticket: ${JSON.stringify(hs)}`);
  expect(hs.sessionReused).toBe(false);
  return hs.session;
}

async function resumes(port: number, version: Version, session: Buffer): Promise<boolean> {
  const hs = await tlsHandshake(port, { servername: 'shared.test', minVersion: version, maxVersion: version, session });
  if (!hs.ok) throw new Error(hs.error);
  return hs.sessionReused;
}

describe('engines sharing a ticket secret', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s: a ticket issued by one engine resumes on the other', async (version) => {
    const secret = new SharedTicketSecret();
    const a = await engineOn(secret);
    const b = await engineOn(secret);
    const ticket = await ticketFrom(a.port, version);
    expect(await resumes(b.port, version, ticket)).toBe(true);
    expect(await resumes(a.port, version, ticket)).toBe(true);
  });

  it('engines with secrets of their own do not resume each other\'s tickets', async () => {
    const a = await engineOn(new SharedTicketSecret());
    const b = await engineOn(new SharedTicketSecret());
    const ticket = await ticketFrom(a.port, 'TLSv1.2');
    expect(await resumes(a.port, 'TLSv1.2', ticket)).toBe(true);
    expect(await resumes(b.port, 'TLSv1.2', ticket)).toBe(false);
  });

  it('a new secret ends resumption of the tickets issued before it, on every engine', async () => {
    const secret = new SharedTicketSecret();
    const a = await engineOn(secret);
    const b = await engineOn(secret);
    const ticket = await ticketFrom(a.port, 'TLSv1.2');
    expect(await resumes(b.port, 'TLSv1.2', ticket)).toBe(true);
    secret.set(Buffer.alloc(MIN_SECRET_BYTES, 7));
    expect(await resumes(a.port, 'TLSv1.2', ticket)).toBe(false);
    expect(await resumes(b.port, 'TLSv1.2', ticket)).toBe(false);
    const fresh = await ticketFrom(a.port, 'TLSv1.2');
    expect(await resumes(b.port, 'TLSv1.2', fresh)).toBe(true);
  });

  it('a TLS policy change gets a key of its own under the same secret: no session resumes across it', async () => {
    const secret = new SharedTicketSecret();
    const a = await engineOn(secret);
    const ticket = await ticketFrom(a.port, 'TLSv1.2');
    await a.reapply(2, 'tls_cipher_policy_1_2');
    expect(await resumes(a.port, 'TLSv1.2', ticket)).toBe(false);
  });
});

describe('ticket key derivation', () => {
  it('is one 48-byte key per secret and context, different for another of either', () => {
    const secret = Buffer.alloc(MIN_SECRET_BYTES, 1);
    const key = deriveTicketKey(secret, 's|a');
    expect(key).toHaveLength(48);
    expect(deriveTicketKey(Buffer.alloc(MIN_SECRET_BYTES, 1), 's|a').equals(key)).toBe(true);
    expect(deriveTicketKey(secret, 's|b').equals(key)).toBe(false);
    expect(deriveTicketKey(Buffer.alloc(MIN_SECRET_BYTES, 2), 's|a').equals(key)).toBe(false);
  });

  it('refuses a secret shorter than MIN_SECRET_BYTES, naming the size', () => {
    expect(() => new SharedTicketSecret(Buffer.alloc(16))).toThrow(/32 bytes or more, not 16/);
    const secret = new SharedTicketSecret();
    expect(() => secret.set(Buffer.alloc(31))).toThrow(/not 31/);
  });
});
