/**
 * E5 and E17's TLS part: session tickets resume sessions, their keys rotate (on the interval,
 * and whenever the listener's TLS configuration changes), an identical snapshot keeps them,
 * and client-initiated renegotiation is refused on the first attempt.
 */
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { tlsHandshake } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';

let cert: Issued;
let harness: EngineHarness | undefined;

beforeAll(async () => {
  cert = await issueCertificate({ commonName: 'session.test', dnsNames: ['session.test'] }, await createCa());
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: { ticketKeyRotationMs?: number } = {}): Promise<{ port: number; snapshot: (version: number, policy?: string) => EngineSnapshot }> {
  harness = new EngineHarness(options);
  const backend = await harness.backend('a');
  const h = harness;
  const snapshot = (version: number, policy = 'tls_cipher_policy_1_2_strict_with_1_3') =>
    buildSnapshot({
      version,
      listeners: [httpsListener('lsn-s', 'sgp-1', 'cert-s', { tlsPolicyId: policy }, { version })],
      certificates: [serverCertificate('cert-s', cert, ['session.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
  return { port: portOf(await h.apply(snapshot(1)), 'lsn-s'), snapshot };
}

async function resumes(port: number, version: 'TLSv1.2' | 'TLSv1.3', session: Buffer): Promise<boolean> {
  const hs = await tlsHandshake(port, { servername: 'session.test', minVersion: version, maxVersion: version, session });
  if (!hs.ok) throw new Error(hs.error);
  return hs.sessionReused;
}

async function freshSession(port: number, version: 'TLSv1.2' | 'TLSv1.3'): Promise<Buffer> {
  const hs = await tlsHandshake(port, { servername: 'session.test', minVersion: version, maxVersion: version });
  if (!hs.ok || !hs.session) throw new Error(`no session ticket: ${JSON.stringify(hs)}`);
  expect(hs.sessionReused).toBe(false);
  return hs.session;
}

describe('E5 session tickets', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s: a ticket resumes the session; an identical snapshot keeps the key', async (version) => {
    const { port, snapshot } = await start();
    const session = await freshSession(port, version);
    expect(await resumes(port, version, session)).toBe(true);
    const same = await harness!.apply(snapshot(1));
    expect(same.changed).toBe(false);
    expect(await resumes(port, version, session)).toBe(true);
  });

  it('ticket keys rotate on the interval: a ticket from before the rotation no longer resumes', async () => {
    // Long enough that the first two handshakes (well under a second) fall inside one key's life.
    const { port } = await start({ ticketKeyRotationMs: 2000 });
    const session = await freshSession(port, 'TLSv1.2');
    expect(await resumes(port, 'TLSv1.2', session)).toBe(true);
    await new Promise((r) => setTimeout(r, 2600));
    expect(await resumes(port, 'TLSv1.2', session)).toBe(false);
  });

  it('a TLS policy change gets fresh keys: no session resumes across it', async () => {
    const { port, snapshot } = await start();
    const session = await freshSession(port, 'TLSv1.2');
    await harness!.apply(snapshot(2, 'tls_cipher_policy_1_2'));
    expect(await resumes(port, 'TLSv1.2', session)).toBe(false);
  });
});

describe('E17: client-initiated renegotiation', () => {
  it('refuses the first client-initiated renegotiation', async () => {
    const { port } = await start();
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'session.test', rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve('no answer');
      }, 5000);
      socket.on('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(`error: ${err.message}`);
      });
      socket.once('secureConnect', () => {
        const accepted = socket.renegotiate({ rejectUnauthorized: false }, (err) => {
          clearTimeout(timer);
          socket.destroy();
          resolve(err ? `error: ${err.message}` : 'renegotiated');
        });
        if (!accepted) {
          clearTimeout(timer);
          socket.destroy();
          resolve('client could not start renegotiation');
        }
      });
    });
    expect(outcome).toMatch(/^error: .*renegotiat/i);
  });
});
