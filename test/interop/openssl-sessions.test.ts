/**
 * E5 and E17 with `openssl s_client`: the session ticket lifetime hint is 300 seconds, and a
 * client-initiated renegotiation (`R` on s_client's stdin) is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../helpers/pki.ts';
import { EngineHarness, portOf } from '../engine/support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../engine/support/snapshots.ts';
import { requireTool, runTool } from './support/tools.ts';

let harness: EngineHarness;
let port: number;

beforeAll(async () => {
  const cert = await issueCertificate({ commonName: 'openssl.test', dnsNames: ['openssl.test'] }, await createCa());
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  const result = await harness.apply(
    buildSnapshot({
      listeners: [httpsListener('lsn-o', 'sgp-1', 'cert-o')],
      certificates: [serverCertificate('cert-o', cert, ['openssl.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    }),
  );
  port = portOf(result, 'lsn-o');
});

afterAll(() => harness.close());

describe('openssl s_client', () => {
  it('sees a session ticket lifetime hint of 300 seconds (TLS 1.2)', async () => {
    requireTool('openssl');
    const run = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'openssl.test', '-tls1_2'], { input: '', timeoutMs: 15_000 });
    expect(run.stdout).toMatch(/Protocol\s*: TLSv1\.2/);
    expect(run.stdout).toContain('TLS session ticket lifetime hint: 300 (seconds)');
  });

  it('sees a session ticket lifetime hint of 300 seconds (TLS 1.3 post-handshake ticket)', async () => {
    requireTool('openssl');
    // Keep stdin open a moment so s_client reads the tickets sent after the handshake.
    const run = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'openssl.test', '-tls1_3'], { input: '', closeAfterMs: 1000, timeoutMs: 15_000 });
    expect(run.stdout).toMatch(/Protocol\s*: TLSv1\.3/);
    expect(run.stdout).toContain('TLS session ticket lifetime hint: 300 (seconds)');
  });

  it('is refused when it asks to renegotiate', async () => {
    requireTool('openssl');
    const run = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'openssl.test', '-tls1_2'], { input: 'R\n', closeAfterMs: 1500, timeoutMs: 15_000 });
    const all = run.stdout + run.stderr;
    expect(all).toContain('RENEGOTIATING');
    expect(all).toMatch(/no renegotiation/i);
  });
});
