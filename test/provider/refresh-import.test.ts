/**
 * Read (SPEC §5): `pulumi refresh` gets live state and inputs, so an out-of-band change shows
 * as drift on the next diff and an out-of-band delete reads as deleted; `pulumi import` builds
 * the inputs from the id alone, and the imported resource then diffs clean against a program
 * that declares it. privateKeyPem, write-only in the API, stays in state as a secret.
 */
import { describe, expect, it } from 'vitest';
import { freePort, listenerInputs, T, useBasicsWithCertificate, useProviderFixture, type Deployed } from './support/fixture.ts';
import { isSecret, PluginError } from './support/plugin.ts';

const fx = useProviderFixture();
const base = useBasicsWithCertificate(fx, 'refresh');

async function listener(name: string, extra: Record<string, unknown> = {}): Promise<Deployed> {
  return fx.deploy(T.Listener, name, listenerInputs(base, 'HTTP', await freePort(), extra));
}

describe('refresh', () => {
  it('an out-of-band change comes back in outputs and inputs, and the next diff shows it', async () => {
    const l = await listener('tuned');
    const live = (await fx.server.api('GET', `/v1/listeners/${l.id}`)).body;
    expect((await fx.server.api('PUT', `/v1/listeners/${l.id}`, { ...live, idleTimeout: 99, description: 'edited by hand' })).status).toBe(200);

    const read = await fx.plugin.read(T.Listener, 'tuned', l.id, l.outputs, l.inputs);
    expect(read.id).toBe(l.id);
    expect(read.properties).toMatchObject({ idleTimeout: 99, description: 'edited by hand', version: 2 });
    expect(read.inputs).toMatchObject({ idleTimeout: 99, description: 'edited by hand', port: l.inputs.port });
    expect(read.inputs.status).toBeUndefined();
    expect(read.inputs.version).toBeUndefined();

    // The program still declares the old values: the next up plans to put them back.
    const checked = await fx.plugin.check(T.Listener, 'tuned', read.inputs, l.inputs, read.properties);
    const d = await fx.plugin.diff(T.Listener, 'tuned', l.id, read.properties, checked.inputs, read.inputs);
    expect(d.detailedDiff).toEqual({ idleTimeout: { kind: 'UPDATE', inputDiff: true }, description: { kind: 'DELETE', inputDiff: true } });
  });

  it('an out-of-band delete reads as deleted (empty id)', async () => {
    const l = await listener('vanished');
    expect((await fx.server.api('DELETE', `/v1/listeners/${l.id}`)).status).toBe(204);
    const read = await fx.plugin.read(T.Listener, 'vanished', l.id, l.outputs, l.inputs);
    expect(read.id).toBe('');
    expect(read.properties).toEqual({});
  });

  it('a certificate keeps its private key from state, as a secret, in outputs and inputs', async () => {
    const read = await fx.plugin.read(T.Certificate, 'site', base.cert.id, base.cert.outputs, base.cert.inputs);
    const key = (await fx.serverCert()).keyPem;
    expect(isSecret(read.inputs.privateKeyPem) && read.inputs.privateKeyPem.value).toBe(key);
    expect(isSecret(read.properties.privateKeyPem) && read.properties.privateKeyPem.value).toBe(key);
    expect(read.properties.notAfter).toBe(base.cert.outputs.notAfter);
  });
});

describe('import', () => {
  it('reads a listener from its id alone; the declaring program then diffs clean', async () => {
    const l = await listener('adopted', { description: 'made elsewhere', forwardedHeaders: { proto: true } });
    const read = await fx.plugin.read(T.Listener, 'web', l.id);
    expect(read.id).toBe(l.id);
    expect(read.properties).toMatchObject({ id: l.id, status: 'Running' });
    expect(read.inputs).toEqual(l.inputs);

    const program = listenerInputs(base, 'HTTP', l.inputs.port as number, { description: 'made elsewhere', forwardedHeaders: { proto: true } });
    const checked = await fx.plugin.check(T.Listener, 'web', read.inputs, program, read.properties);
    expect(checked.failures).toEqual([]);
    const d = await fx.plugin.diff(T.Listener, 'web', l.id, read.properties, checked.inputs, read.inputs);
    expect(d.changes).toBe('DIFF_NONE');
  });

  it('an imported certificate has no key in its inputs; declaring it is an in-place update', async () => {
    const read = await fx.plugin.read(T.Certificate, 'imported-cert', base.cert.id);
    expect(read.inputs.privateKeyPem).toBeUndefined();
    expect(read.properties.privateKeyPem).toBeUndefined();
    const d = await fx.plugin.diff(T.Certificate, 'imported-cert', base.cert.id, read.properties, base.cert.inputs, read.inputs);
    expect(d.detailedDiff).toEqual({ privateKeyPem: { kind: 'ADD', inputDiff: true } });
    expect(d.replaces).toEqual([]);
  });

  it('an imported certificate may be declared without its key: the API keeps the stored one', async () => {
    const read = await fx.plugin.read(T.Certificate, 'keyless', base.cert.id);
    const { privateKeyPem: _k, ...program } = base.cert.inputs;
    const checked = await fx.plugin.check(T.Certificate, 'keyless', read.inputs, { ...program, tags: { rotated: 'no' } }, read.properties);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.privateKeyPem).toBeUndefined();
    const d = await fx.plugin.diff(T.Certificate, 'keyless', base.cert.id, read.properties, checked.inputs, read.inputs);
    expect(d.detailedDiff).toEqual({ 'tags.rotated': { kind: 'ADD', inputDiff: true } });
    const props = await fx.plugin.update(T.Certificate, 'keyless', base.cert.id, read.properties, checked.inputs, read.inputs);
    expect(props.tags).toEqual({ rotated: 'no' });
    expect(props.fingerprintSha256).toBe(base.cert.outputs.fingerprintSha256);
  });

  it('a new certificate still needs its key', async () => {
    const { privateKeyPem: _k, ...program } = base.cert.inputs;
    const checked = await fx.plugin.check(T.Certificate, 'fresh', {}, program);
    expect(checked.failures.map((f) => f.property)).toEqual(['privateKeyPem']);
  });

  it('an id that does not exist imports as not found', async () => {
    expect((await fx.plugin.read(T.Listener, 'nothing', 'lsn-aaaaaaaaaaaaaaaaaaaa')).id).toBe('');
  });

  it('an id of another kind is refused with a message naming the id', async () => {
    const err = await fx.plugin.read(T.Listener, 'wrong', base.cert.id).then(
      () => undefined,
      (e: unknown) => e as PluginError,
    );
    expect(err?.message).toContain(`"${base.cert.id}" is not the id of a Listener`);
  });

  it('a QUIC listener id imported as a Listener is refused naming the right type', async () => {
    const q = await fx.deploy(T.QuicListener, 'h3', { loadBalancerId: base.lb.id, port: await freePort(), defaultServerGroupId: base.group.id, certificates: { defaultCertificateId: base.cert.id } });
    const err = await fx.plugin.read(T.Listener, 'h3-as-listener', q.id).then(
      () => undefined,
      (e: unknown) => e as PluginError,
    );
    expect(err?.message).toContain(`${q.id} is a QuicListener, not a Listener: import it as gatehouse:index:QuicListener`);
    expect((await fx.plugin.read(T.QuicListener, 'h3', q.id)).id).toBe(q.id);
  });

  it('a system TLS policy cannot be imported: it is read-only', async () => {
    const err = await fx.plugin.read(T.TlsSecurityPolicy, 'sys', 'tls_cipher_policy_1_2').then(
      () => undefined,
      (e: unknown) => e as PluginError,
    );
    expect(err?.message).toContain('read-only system TLS policy');
  });
});
