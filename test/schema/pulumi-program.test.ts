/**
 * "Show as code" (schema/emit/pulumi-program.ts): the program generated from live resources
 * created through the API type-checks against the SDK and, run under Pulumi's mocks, declares
 * the same resources (types, names, and inputs equal to the live objects read as inputs, the
 * private key from config as a secret), references as the other resources' ids; the import
 * variant carries each resource's id; hostile names still compile and keep their names.
 */
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import { loadBalancerResources, pulumiProgram, type LiveResource, type PulumiProgram } from '../../schema/emit/pulumi-program.ts';
import { inputsFromLive } from '../../schema/pulumi-state/live-inputs.ts';
import { ProgramFolder, type Declared } from '../helpers/generated-program.ts';
import { makePki, TestApi, type TestPki } from '../server/support/api.ts';

let api: TestApi;
let pki: TestPki;
let folder: ProgramFolder;
let pool: LiveResource[];
let lbId: string;
let typeErrors: string;

const SECRET_KEY = 'mocked-private-key';

async function livePool(): Promise<LiveResource[]> {
  const out: LiveResource[] = [];
  for (const kind of ALL_RESOURCE_KINDS) {
    const res = await api.call('GET', `/v1/${kind.collection}?limit=100`);
    for (const live of res.body.items as Record<string, unknown>[]) out.push({ kind, live });
  }
  return out;
}

/** HOSTILE are names the API accepts that try to break out of a string, a comment or a script element. */
const HOSTILE = ['q"uote\'s `back` ${x}', 'end */ </script><script>', 'Ünïcödé ☃ \u2028 end', '*/', '"\\'];
/** UNWRITABLE are names the API (and the SDK) refuse, with control characters: the program must still compile. */
const UNWRITABLE = ['new\nline */', 'tab\there\r\n`${', '\u0000'];

/** hostile replaces the names and descriptions of a program's resources (and their tags) with the given texts. */
function hostile(resources: LiveResource[], texts: readonly string[] = HOSTILE): LiveResource[] {
  return resources.map((r, i) => {
    const text = texts[i % texts.length]!;
    const live: Record<string, unknown> = { ...r.live };
    // A TLS policy's name is an identifier ([A-Za-z0-9._-]); it keeps its name, its tags change.
    if (r.kind.name === 'TlsSecurityPolicy') live.name = `${String(live.name)}-${i}`;
    else if (typeof live.name === 'string') live.name = text;
    else live.description = text;
    live.tags = { [text]: text };
    return { kind: r.kind, live };
  });
}

function configOf(program: PulumiProgram): Record<string, string> {
  return Object.fromEntries(program.resources.flatMap((r) => r.secrets.map((s) => [s.key, SECRET_KEY])));
}

function idsOf(program: PulumiProgram): Record<string, string> {
  return Object.fromEntries(program.resources.map((r) => [r.name, r.id]));
}

/** expectSameResources checks that the program declared exactly its resources with the live inputs. */
function expectSameResources(program: PulumiProgram, declared: Declared[], withImports: boolean): void {
  // Registrations wait for the outputs they use, so their order is not the program's.
  const sorted = (pairs: string[][]): string[][] => [...pairs].sort((a, b) => a.join().localeCompare(b.join()));
  expect(sorted(declared.map((d) => [d.type, d.name]))).toEqual(sorted(program.resources.map((r) => [r.type, r.name])));
  for (const r of program.resources) {
    const d = declared.find((x) => x.name === r.name)!;
    const expected: Record<string, unknown> = { ...r.inputs };
    // The key from config arrives as a secret (Pulumi's secret envelope).
    for (const s of r.secrets) expected[s.field] = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value: SECRET_KEY };
    expect(d.inputs, r.name).toEqual(expected);
    expect(d.importId, r.name).toBe(withImports ? r.id : '');
  }
}

beforeAll(async () => {
  api = await TestApi.open();
  pki = await makePki();
  folder = await ProgramFolder.create();
  const lb = await api.create('load-balancers', { name: 'edge', edition: 'Standard', tags: { team: 'web' } });
  lbId = lb.id;
  await api.create('load-balancers', { name: 'other-lb' });
  const sg = await api.create('server-groups', {
    name: 'web-servers',
    scheduler: 'Wrr',
    servers: [
      { address: '127.0.0.1', port: 3001, weight: 100 },
      { address: '127.0.0.1', port: 3002, weight: 50, description: 'second' },
      { address: '10.0.0.3', port: 8080 },
    ],
  });
  const www = await api.create('certificates', { name: 'www', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem });
  const apiCert = await api.create('certificates', { name: 'api', certificatePem: pki.other.certPem, privateKeyPem: pki.other.keyPem });
  const ca = await api.create('certificates', { name: 'client-ca', type: 'CA', certificatePem: pki.ca.certPem });
  const policy = await api.create('tls-policies', { name: 'modern', tlsVersions: ['TLSv1.2', 'TLSv1.3'], ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] });
  const quic = await api.create('quic-listeners', { loadBalancerId: lb.id, port: 8443, defaultServerGroupId: sg.id, certificates: { defaultCertificateId: www.id } });
  await api.create('listeners', {
    loadBalancerId: lb.id,
    protocol: 'HTTPS',
    port: 8443,
    description: 'public https',
    defaultServerGroupId: sg.id,
    certificates: { defaultCertificateId: www.id, additionalCertificateIds: [apiCert.id] },
    tlsPolicyId: policy.id,
    mutualAuthentication: { enabled: true, caCertificateId: ca.id },
    forwardedHeaders: { proto: true, host: true, clientCertSubjectDn: { enabled: true, headerName: 'x-client-dn' } },
    quic: { upgradeEnabled: true, quicListenerId: quic.id },
  });
  await api.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: 8080, defaultServerGroupId: sg.id, idleTimeout: 30 });
  pool = await livePool();
}, 60_000);

afterAll(async () => {
  await api?.close();
  await folder?.remove();
});

describe('the program of a load balancer', () => {
  let program: PulumiProgram;
  let hostileProgram: PulumiProgram;
  let unwritableProgram: PulumiProgram;
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    program = pulumiProgram(loadBalancerResources(lbId, pool));
    hostileProgram = pulumiProgram(hostile(loadBalancerResources(lbId, pool)));
    paths.program = await folder.write('program.ts', program.program);
    paths.imports = await folder.write('imports.ts', program.programWithImports);
    paths.hostile = await folder.write('hostile.ts', hostileProgram.program);
    unwritableProgram = pulumiProgram(hostile(loadBalancerResources(lbId, pool), UNWRITABLE));
    await folder.write('unwritable.ts', unwritableProgram.program);
    typeErrors = await folder.typeCheck();
  }, 90_000);

  it('declares the load balancer, its listeners and what they refer to, each after what it refers to', () => {
    const kinds = program.resources.map((r) => r.kind.name);
    expect(kinds).toEqual(['LoadBalancer', 'Certificate', 'Certificate', 'Certificate', 'TlsSecurityPolicy', 'ServerGroup', 'QuicListener', 'Listener', 'Listener']);
    expect(program.resources.map((r) => r.name)).toEqual(['edge', 'www', 'api', 'client-ca', 'modern', 'web-servers', 'quic-8443', 'public-https', 'http-8080']);
    expect(program.resources.some((r) => r.name === 'other-lb')).toBe(false);
    expect(program.program).not.toContain('other-lb');
  });

  it('leaves out output-only fields, refers to the other resources by .id, reads the private keys from config', () => {
    const text = program.program;
    for (const output of ['status', 'version', 'createdAt', 'updatedAt', 'fingerprintSha256', 'domains']) expect(text).not.toMatch(new RegExp(`^\\s*${output}:`, 'm'));
    expect(text).toContain('loadBalancerId: edge.id,');
    expect(text).toContain('defaultCertificateId: www.id,');
    expect(text).toContain('caCertificateId: clientCa.id,');
    expect(text).toContain('tlsPolicyId: modern.id,');
    expect(text).toContain('quicListenerId: quic8443.id,');
    for (const r of program.resources) expect(text).not.toContain(`"${r.id}"`);
    expect(text).toContain('privateKeyPem: config.requireSecret("wwwPrivateKeyPem")');
    expect(text).toContain('privateKeyPem: config.requireSecret("apiPrivateKeyPem")');
    expect(program.resources.find((r) => r.name === 'client-ca')?.secrets).toEqual([]);
    expect(text).toMatch(/privateKeyPem is write-only: the API never returns it/);
  });

  it('type-checks against the SDK (the program, the import variant, hostile names, names with control characters)', () => {
    expect(typeErrors).toBe('');
  });

  it('run under mocks, declares the same resources with the live objects read as inputs', async () => {
    const declared = await folder.runUnderMocks(paths.program!, { ids: idsOf(program), config: configOf(program) });
    expectSameResources(program, declared, false);
    for (const r of program.resources) {
      const live = pool.find((p) => p.live.id === r.id)!;
      expect(r.inputs).toEqual(inputsFromLive(live.kind, live.live));
    }
  });

  it('the import variant carries each resource id as the import option', async () => {
    expect(program.programWithImports).toContain(`{ import: "${lbId}" }`);
    const www = program.resources.find((r) => r.name === 'www')!;
    expect(program.programWithImports).toContain(`{ import: "${www.id}", ignoreChanges: ["privateKeyPem"] }`);
    const declared = await folder.runUnderMocks(paths.imports!, { ids: idsOf(program), config: configOf(program) });
    expectSameResources(program, declared, true);
  });

  it('hostile names still compile and declare the same names, their text as it was', async () => {
    const declared = await folder.runUnderMocks(paths.hostile!, { ids: idsOf(hostileProgram), config: configOf(hostileProgram) });
    expectSameResources(hostileProgram, declared, false);
    expect(new Set(hostileProgram.resources.map((r) => r.name)).size).toBe(hostileProgram.resources.length);
    for (const r of hostileProgram.resources) expect(r.name).toMatch(/^[a-z0-9-]+$/);
    const texts = declared.flatMap((d) => [d.inputs.name, d.inputs.description]);
    for (const text of HOSTILE) expect(texts).toContain(text);
    expect(hostileProgram.program).not.toContain('</script>');
    expect(hostileProgram.program).not.toContain('\u2028');
  });

  it('names with control characters (refused by the API and the SDK) still parse back to the same names and texts', () => {
    // The SDK refuses such names at plan time, so the program is read with the TypeScript parser instead of run.
    const source = ts.createSourceFile('unwritable.ts', unwritableProgram.program, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const declared: { name: string; text: string | undefined }[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && node.arguments?.[0] && ts.isStringLiteral(node.arguments[0])) {
        const args = node.arguments[1];
        let text: string | undefined;
        if (args && ts.isObjectLiteralExpression(args)) {
          for (const p of args.properties) {
            if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && (p.name.text === 'name' || p.name.text === 'description') && ts.isStringLiteral(p.initializer)) text = p.initializer.text;
          }
        }
        declared.push({ name: node.arguments[0].text, text });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(declared.map((d) => d.name)).toEqual(unwritableProgram.resources.map((r) => r.name));
    expect(declared.map((d) => d.text)).toEqual(unwritableProgram.resources.map((r) => r.inputs.name ?? r.inputs.description));
    for (const text of UNWRITABLE) expect(declared.map((d) => d.text)).toContain(text);
  });
});

describe('the import commands and single resources', () => {
  it('one pulumi import command per resource, with the type token, the name and the id', () => {
    const program = pulumiProgram(loadBalancerResources(lbId, pool));
    const lines = program.importCommands.trimEnd().split('\n');
    expect(lines).toHaveLength(program.resources.length);
    expect(lines[0]).toBe(`pulumi import gatehouse:index:LoadBalancer edge ${lbId}`);
    expect(lines).toContain(`pulumi import gatehouse:index:QuicListener quic-8443 ${program.resources.find((r) => r.name === 'quic-8443')!.id}`);
  });

  it('variables never collide with one another, their exported ids or the program\'s own names', () => {
    const lb = pool.find((r) => r.live.id === lbId)!;
    const named = (name: string, i: number): LiveResource => ({ kind: lb.kind, live: { ...lb.live, id: `alb-${i}`, name } });
    const program = pulumiProgram([named('web', 1), named('web-id', 2), named('web', 3), named('config', 4), named('443', 5), named('class', 6)]);
    expect(program.resources.map((r) => r.variable)).toEqual(['web', 'webId2', 'web2', 'loadBalancerConfig', 'loadBalancer443', 'loadBalancerClass']);
    expect(program.resources.map((r) => r.name)).toEqual(['web', 'web-id', 'web-2', 'config', '443', 'class']);
  });

  it('a single listener refers to what it uses by literal ids; a system TLS policy is never declared', () => {
    const listener = pool.find((r) => r.kind.name === 'Listener' && r.live.protocol === 'HTTP')!;
    const program = pulumiProgram([listener]);
    expect(program.resources).toHaveLength(1);
    expect(program.program).toContain(`loadBalancerId: "${lbId}",`);
    const system = pool.find((r) => r.kind.name === 'TlsSecurityPolicy' && r.live.system === true)!;
    const systemProgram = pulumiProgram([system]);
    expect(systemProgram.resources).toEqual([]);
    expect(systemProgram.systemIds).toEqual([system.live.id]);
    expect(systemProgram.importCommands).toBe('');
  });
});
