/**
 * "Show as code" and the drift page in a real browser: Debian's Chromium driven by
 * playwright-core against a real `gatehouse serve`. The drift page, given a stack export built
 * from resources created through the API, shows a value changed through the API afterwards
 * with its stack and live values, from an uploaded file and from pasted text. The code page of
 * a load balancer shows a program whose text, read from the page, type-checks against the SDK
 * and, run under Pulumi's mocks, declares the load balancer and what it uses with the live
 * objects read as inputs. No error is logged and nothing is asked of another origin.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindByName } from '../../schema/kinds.ts';
import { inputsFromLive } from '../../schema/pulumi-state/live-inputs.ts';
import { freePort } from '../helpers/free-port.ts';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';
import { ProgramFolder } from '../helpers/generated-program.ts';
import { stackExportOf, type ExportedResource } from '../helpers/stack-export.ts';
import { makePki } from '../server/support/api.ts';
import { launchConsoleBrowser, PageWatch, SHOTS, signIn } from './support/console-browser.ts';

const SECRET_ENVELOPE_KEY = '4dabf18193072939515e22adb298388d';

let serve: GatehouseServe;
let browser: Browser;
let folder: ProgramFolder;
let lbId = '';
let exportText = '';
let groupId = '';
/** live maps the id of every resource the load balancer's program must declare to its live object. */
const live = new Map<string, Record<string, unknown>>();
const watch = new PageWatch();

async function create(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await serve.api('POST', path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

async function read(collection: string, id: unknown): Promise<Record<string, unknown>> {
  const res = await serve.api('GET', `/v1/${collection}/${String(id)}`);
  if (res.status !== 200) throw new Error(`GET ${collection}/${String(id)}: ${res.status}`);
  return res.body as Record<string, unknown>;
}

beforeAll(async () => {
  serve = await GatehouseServe.startFresh();
  folder = await ProgramFolder.create();
  const pki = await makePki();
  const lb = await create('/v1/load-balancers', { name: 'edge', edition: 'Standard' });
  lbId = String(lb.id);
  await create('/v1/load-balancers', { name: 'elsewhere' });
  const sg = await create('/v1/server-groups', {
    name: 'web',
    servers: [
      { address: '127.0.0.1', port: 9, weight: 70 },
      { address: '127.0.0.2', port: 9, weight: 30, description: 'spare "one" `${x}`' },
    ],
  });
  groupId = String(sg.id);
  const www = await create('/v1/certificates', { name: 'www', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem });
  const ca = await create('/v1/certificates', { name: 'client-ca', type: 'CA', certificatePem: pki.ca.certPem });
  const policy = await create('/v1/tls-policies', { name: 'modern', tlsVersions: ['TLSv1.2', 'TLSv1.3'], ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] });
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const https = await create('/v1/listeners', {
    loadBalancerId: lb.id,
    protocol: 'HTTPS',
    port: httpsPort,
    description: 'public </script> https',
    defaultServerGroupId: sg.id,
    certificates: { defaultCertificateId: www.id },
    tlsPolicyId: policy.id,
    mutualAuthentication: { enabled: true, caCertificateId: ca.id },
    forwardedHeaders: { proto: true, clientCertSubjectDn: { enabled: true } },
  });
  const http = await create('/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: httpPort, defaultServerGroupId: sg.id });
  const resources: ExportedResource[] = [
    { collection: 'load-balancers', name: 'edge', live: await read('load-balancers', lb.id) },
    { collection: 'server-groups', name: 'web', live: await read('server-groups', sg.id) },
    { collection: 'certificates', name: 'www', live: await read('certificates', www.id) },
    { collection: 'certificates', name: 'client-ca', live: await read('certificates', ca.id) },
    { collection: 'tls-policies', name: 'modern', live: await read('tls-policies', policy.id) },
    { collection: 'listeners', name: 'https', live: await read('listeners', https.id) },
    { collection: 'listeners', name: 'http', live: await read('listeners', http.id) },
  ];
  exportText = JSON.stringify(stackExportOf(resources), null, 2);
  // Changed outside Pulumi, after the export: the first server's weight.
  const group = resources[1]!.live;
  const put = await serve.api('PUT', `/v1/server-groups/${groupId}`, { ...group, servers: [{ address: '127.0.0.1', port: 9, weight: 5 }, (group.servers as unknown[])[1]] });
  if (put.status !== 200) throw new Error(`PUT server group: ${put.status}`);
  for (const r of resources) live.set(String(r.live.id), r.collection === 'server-groups' ? (put.body as Record<string, unknown>) : r.live);

  browser = await launchConsoleBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  await folder?.remove();
});

async function signedInPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = watch.watch(await context.newPage(), new URL(serve.url).origin);
  await page.goto(`${serve.url}/console/`);
  await signIn(page, serve.token);
  await page.locator('main h1').first().waitFor();
  return page;
}

/** expectWeightDrift checks the drift result: the server group changed at servers[0].weight, stack 70, live 5. */
async function expectWeightDrift(page: Page, source: string): Promise<void> {
  const summary = page.locator('.drift-summary');
  await expect.poll(() => summary.textContent(), { timeout: 15_000 }).toContain('Drift: 1 of 7 resources differ');
  expect(await summary.textContent()).toContain(source);
  const group = page.locator('li.drift-resource', { hasText: groupId });
  expect(await group.locator('.drift-state').textContent()).toBe('Changed');
  const cells = await group.locator('tbody tr').first().locator('td').allTextContents();
  expect(cells).toEqual(['servers[0].weight', 'changed outside Pulumi', '70', '5']);
  expect(await page.locator('li.drift-in-sync').count()).toBe(6);
  expect(await page.locator('li.drift-resource', { hasText: 'www' }).textContent()).toContain('Not compared: privateKeyPem');
}

describe('show as code and drift in Chromium', () => {
  it('the drift page shows a value changed through the API, from an uploaded export and from pasted text', async () => {
    const page = await signedInPage();
    await page.goto(`${serve.url}/console/#/drift`);
    await page.getByLabel('Stack export file').setInputFiles({ name: 'dev-stack.json', mimeType: 'application/json', buffer: Buffer.from(exportText) });
    await expectWeightDrift(page, 'dev-stack.json');
    await page.screenshot({ path: join(SHOTS, 'drift-changed-weight.png'), fullPage: true });

    await page.getByLabel('Or paste the stack export').fill(exportText);
    await page.getByRole('button', { name: 'Compare' }).click();
    await expectWeightDrift(page, 'pasted text');
    await page.context().close();
  }, 30_000);

  it('the code page of a load balancer shows a program that type-checks and declares the same resources', async () => {
    const page = await signedInPage();
    await page.goto(`${serve.url}/console/#/code/load-balancers/${lbId}`);
    const code = page.getByTestId('program-text');
    await code.waitFor({ timeout: 15_000 });
    const program = (await code.textContent()) ?? '';
    const commands = (await page.getByTestId('import-commands').textContent()) ?? '';
    await page.getByRole('button', { name: 'Program with import options' }).click();
    expect(await code.textContent()).toContain(`{ import: "${lbId}" }`);
    await page.screenshot({ path: join(SHOTS, 'code-load-balancer.png'), fullPage: true });
    await page.context().close();

    // The import commands name each resource's type, Pulumi name and id: the same set the load balancer needs.
    const declaredIds = new Map<string, { type: string; id: string }>();
    for (const line of commands.trimEnd().split('\n')) {
      const [, , type = '', name = '', id = ''] = line.split(' ');
      declaredIds.set(name, { type, id });
    }
    expect(new Set([...declaredIds.values()].map((d) => d.id))).toEqual(new Set(live.keys()));

    const path = await folder.write('index.ts', program);
    expect(await folder.typeCheck()).toBe('');
    const config = Object.fromEntries([...program.matchAll(/config\.requireSecret\("([^"]+)"\)/g)].map((m) => [m[1]!, 'PRIVATE KEY']));
    expect(Object.keys(config)).toHaveLength(1);
    const declared = await folder.runUnderMocks(path, { ids: Object.fromEntries([...declaredIds].map(([name, d]) => [name, d.id])), config });
    expect(declared).toHaveLength(live.size);
    for (const d of declared) {
      const { type, id } = declaredIds.get(d.name)!;
      expect(d.type).toBe(type);
      const kind = kindByName(type.replace('gatehouse:index:', ''))!;
      const expected: Record<string, unknown> = inputsFromLive(kind, live.get(id)!);
      if (d.inputs.privateKeyPem !== undefined) {
        expect(d.inputs.privateKeyPem).toEqual({ [SECRET_ENVELOPE_KEY]: '1b47061264138c4ac30d75fd1eb44270', value: 'PRIVATE KEY' });
        expected.privateKeyPem = d.inputs.privateKeyPem;
      }
      expect(d.inputs, d.name).toEqual(expected);
    }
  }, 40_000);

  it('logged no error and asked nothing of another origin', () => {
    expect(watch.dialogs).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.unexpectedErrors()).toEqual([]);
  });
});
