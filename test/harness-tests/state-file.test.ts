/**
 * The state file: `pulumi stack export` shape, secrets sealed, plaintext exports readable.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_SIG, SIG_KEY, Secret, UNKNOWN } from '../harness/property-value.ts';
import { formatState, parseState, readState, writeState, type StateResource } from '../harness/state-file.ts';

const resource: StateResource = {
  urn: 'urn:pulumi:dev::p::fake:index:Thing::a',
  custom: true,
  id: 'thing-1',
  type: 'fake:index:Thing',
  inputs: { size: 1, password: new Secret('correct horse') },
  outputs: { size: 1, password: new Secret('correct horse'), nested: { token: new Secret({ k: 'battery staple' }) } },
  parent: 'urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev',
  dependencies: ['urn:pulumi:dev::p::fake:index:Thing::b'],
  provider: 'urn:pulumi:dev::p::pulumi:providers:fake::default::0b6c',
  propertyDependencies: { size: [] },
};

describe('state file', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('writes the export shape with every secret sealed, and reads it back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'harness-state-'));
    const path = join(dir, 'nested', 'state.json');
    await writeState(path, [resource], 'pass-1');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(text).not.toContain('battery staple');
    const doc = JSON.parse(text) as { version: number; deployment: { manifest: object; resources: Record<string, unknown>[] } };
    expect(doc.version).toBe(3);
    expect(doc.deployment.manifest).toBeDefined();
    const r = doc.deployment.resources[0] ?? {};
    expect(Object.keys(r)).toEqual(['urn', 'custom', 'id', 'type', 'inputs', 'outputs', 'parent', 'dependencies', 'provider', 'propertyDependencies']);
    expect((r['inputs'] as Record<string, Record<string, unknown>>)['password']).toEqual({ [SIG_KEY]: SECRET_SIG, ciphertext: expect.stringMatching(/^v1:/) });
    expect(await readState(path, 'pass-1')).toEqual([resource]);
  });

  it('refuses to open sealed secrets with the wrong passphrase', () => {
    const text = formatState([resource], 'right');
    expect(() => parseState(text, 'wrong')).toThrow();
  });

  it('reads the plaintext secret form of `pulumi stack export --show-secrets`', () => {
    const text = JSON.stringify({
      version: 3,
      deployment: { resources: [{ urn: resource.urn, custom: true, id: 'x', type: resource.type, inputs: {}, outputs: { pw: { [SIG_KEY]: SECRET_SIG, plaintext: '"hunter2"' } } }] },
    });
    expect(parseState(text, 'any')[0]?.outputs).toEqual({ pw: new Secret('hunter2') });
  });

  it('treats a missing file as an empty stack and rejects other versions', async () => {
    dir = mkdtempSync(join(tmpdir(), 'harness-state-'));
    expect(await readState(join(dir, 'absent.json'))).toEqual([]);
    writeFileSync(join(dir, 'v1.json'), JSON.stringify({ version: 1, deployment: {} }));
    await expect(readState(join(dir, 'v1.json'))).rejects.toThrow(/version/);
  });

  it('keeps unknowns as the sentinel (a preview state is never written, but a failed one may hold them)', () => {
    const text = formatState([{ ...resource, outputs: { later: UNKNOWN } }], 'p');
    expect(parseState(text, 'p')[0]?.outputs).toEqual({ later: UNKNOWN });
  });
});
