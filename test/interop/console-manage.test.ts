/**
 * Managing the load balancer from the web console, in a real browser (issue: web console):
 * Debian's Chromium driven by playwright-core against a real `gatehouse serve`. After signing in,
 * the overview shows the TLS policies (system and custom, with what they offer), which listeners
 * use each certificate, and each server's health now; a listener whose port another process holds
 * shows `Failed` with the reason, and turns `Running` on the page, without a reload, once the port
 * is free. Deleting a certificate a listener uses is refused and the console shows IN_USE with the
 * listener; deleting an unused one after confirming works and leads back to the overview. The
 * events page lists the changes and filters them by a resource. Names and descriptions holding
 * `<img src=x onerror=…>` show as text; the page logs no error and asks nothing of another origin.
 * Screenshots go to a folder under the system's temporary directory.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/free-port.ts';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';
import { makePki } from '../server/support/api.ts';
import { launchConsoleBrowser, PageWatch, SHOTS, signIn } from './support/console-browser.ts';

const HOSTILE = '<img src=x onerror=alert(1)> and <script>window.__owned = 1</script>';

let serve: GatehouseServe;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let blocker: Server | undefined;
let backend: Server;
let httpsId = '';
let flakyId = '';
let usedCertId = '';
let spareCertId = '';
let spareName = '';
let backendPort = 0;
let deadPort = 0;
const watch = new PageWatch();

function listening(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

beforeAll(async () => {
  // A backend that accepts connections (healthy) beside a port nobody listens on (unhealthy).
  backend = createServer((socket) => socket.end());
  backendPort = await listening(backend);
  deadPort = await freePort();
  serve = await GatehouseServe.startFresh();
  const pki = await makePki();
  const create = async (path: string, body: unknown) => {
    const res = await serve.api('POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const lb = await create('/v1/load-balancers', { name: 'edge', edition: 'Standard', address: '127.0.0.1' });
  const sg = await create('/v1/server-groups', {
    name: 'web',
    servers: [
      { address: '127.0.0.1', port: backendPort, weight: 70, description: HOSTILE },
      { address: '127.0.0.1', port: deadPort, weight: 30 },
    ],
    healthCheck: { protocol: 'TCP', interval: 1, timeout: 1, healthyThreshold: 2, unhealthyThreshold: 2 },
  });
  usedCertId = (await create('/v1/certificates', { name: 'www-cert', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem })).id;
  spareName = `spare ${HOSTILE}`;
  spareCertId = (await create('/v1/certificates', { name: spareName, certificatePem: pki.other.certPem, privateKeyPem: pki.other.keyPem })).id;
  await create('/v1/tls-policies', { name: 'modern-only', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_256_GCM_SHA384'] });
  httpsId = (
    await create('/v1/listeners', {
      loadBalancerId: lb.id,
      protocol: 'HTTPS',
      port: await freePort(),
      defaultServerGroupId: sg.id,
      certificates: { defaultCertificateId: usedCertId },
      description: HOSTILE,
    })
  ).id;
  // A port another process holds: that listener fails until the port is free.
  blocker = createServer();
  const taken = await listening(blocker);
  flakyId = (await create('/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: taken, defaultServerGroupId: sg.id, description: 'flaky' })).id;
  await eventually(async () => expect((await serve.api('GET', `/v1/listeners/${httpsId}`)).body.status).toBe('Running'));
  await eventually(async () => expect((await serve.api('GET', `/v1/listeners/${flakyId}`)).body.status).toBe('Failed'));

  browser = await launchConsoleBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = watch.watch(await context.newPage(), new URL(serve.url).origin);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  for (const s of [blocker, backend]) if (s?.listening) await new Promise((resolve) => s.close(resolve));
});

function inPage(expression: string): Promise<unknown> {
  return page.evaluate(expression);
}

describe('managing the load balancer in the console', () => {
  it('shows TLS policies, certificate use and server health, and a listener recovering live', async () => {
    await page.goto(`${serve.url}/console/`);
    await signIn(page, serve.token);
    await page.locator(`#listeners tr[data-id="${flakyId}"]`).waitFor();

    // TLS policies: the system ones and the custom one, with the versions and ciphers they offer.
    const policies = page.locator('#tls-policies');
    expect(await policies.locator('tr[data-id="tls_cipher_policy_1_2"]').textContent()).toMatch(/system.*TLSv1\.2/s);
    const custom = policies.locator('tr', { hasText: 'modern-only' });
    expect(await custom.textContent()).toMatch(/custom.*TLSv1\.3/s);
    expect(await custom.locator('.ciphers').textContent()).toContain('TLS_AES_256_GCM_SHA384');

    // Which listener uses which certificate, and how; the spare one is used by none.
    const used = page.locator(`#certificates tr[data-id="${usedCertId}"]`);
    expect(await used.locator('.used-by').textContent()).toContain('default certificate');
    expect(await used.locator(`.used-by a[href="#/r/listeners/${httpsId}"]`).count()).toBe(1);
    expect(await used.textContent()).toMatch(/days left/);
    const spare = page.locator(`#certificates tr[data-id="${spareCertId}"]`);
    expect(await spare.locator('.used-by').textContent()).toBe('not used');
    expect(await spare.locator('td').first().textContent()).toBe(spareName);

    // Each server's health, as the engine's checks see it now.
    const servers = page.locator('#server-groups .servers');
    await expect.poll(() => servers.locator(`li[data-server="127.0.0.1:${backendPort}"] .health`).textContent(), { timeout: 15_000 }).toMatch(/^Healthy/);
    await expect.poll(() => servers.locator(`li[data-server="127.0.0.1:${deadPort}"] .health`).textContent(), { timeout: 15_000 }).toMatch(/^Unhealthy/);

    // Hostile names and descriptions are text; nothing ran.
    expect(await page.locator(`#listeners tr[data-id="${httpsId}"] td.description`).textContent()).toBe(HOSTILE);
    expect(await servers.textContent()).toContain(HOSTILE);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await inPage('window.__owned')).toBeUndefined();

    // The failed listener shows why; once the port is free it runs, and the page follows without a reload.
    const flaky = page.locator(`#listeners tr[data-id="${flakyId}"]`);
    expect(await flaky.locator('.status').textContent()).toBe('Failed');
    expect((await flaky.locator('.reason').textContent())?.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, '11-manage-overview-failed.png'), fullPage: true });
    expect(await inPage('window.__sameDocument = true')).toBe(true);
    await new Promise((resolve) => blocker!.close(resolve));
    await expect.poll(() => flaky.locator('.status').textContent(), { timeout: 20_000 }).toBe('Running');
    expect(await flaky.locator('.reason').count()).toBe(0);
    expect(await inPage('window.__sameDocument')).toBe(true);
    expect(await page.locator('.live-status').textContent()).toMatch(/Last checked/);
    await page.screenshot({ path: join(SHOTS, '12-manage-overview-running.png'), fullPage: true });
  }, 60_000);

  it('refuses to delete a certificate in use, showing IN_USE and the listener; deletes an unused one after confirming', async () => {
    await page.locator(`#certificates tr[data-id="${usedCertId}"] a`, { hasText: 'www-cert' }).click();
    await page.getByRole('heading', { name: 'Fields' }).waitFor();
    expect(page.url()).toContain(`#/r/certificates/${usedCertId}`);

    // The dialog names what it deletes, takes the focus, and Escape cancels.
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`“www-cert” (${usedCertId})`);
    expect(await inPage('document.querySelector("dialog")?.contains(document.activeElement)')).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Delete…' }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.locator('.problem-code').textContent()).toBe('IN_USE');
    expect(await alert.locator('.problem-title').textContent()).toBe('The resource is referenced by other resources');
    expect(await alert.locator('.problem-detail').textContent()).toContain(httpsId);
    const referrers = page.getByRole('list', { name: 'Resources that still use it' });
    expect(await referrers.locator(`a[href="#/r/listeners/${httpsId}"]`).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, '13-manage-delete-in-use.png'), fullPage: true });
    expect((await serve.api('GET', `/v1/certificates/${usedCertId}`)).status).toBe(200);

    // The unused one: its hostile name is text in the dialog too; confirmed, it is gone.
    await page.goto(`${serve.url}/console/#/r/certificates/${spareCertId}`);
    await page.getByRole('heading', { name: 'Fields' }).waitFor();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await dialog.waitFor();
    expect(await dialog.locator('h2').textContent()).toBe(`Delete Certificate “${spareName}” (${spareCertId})?`);
    expect(await page.locator('dialog img').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, '14-manage-delete-confirm.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/');
    expect((await serve.api('GET', `/v1/certificates/${spareCertId}`)).status).toBe(404);
    await page.locator(`#certificates tr[data-id="${usedCertId}"]`).waitFor();
    expect(await page.locator(`#certificates tr[data-id="${spareCertId}"]`).count()).toBe(0);
  }, 30_000);

  it('lists the changes on the events page and filters them by a resource', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    // Newest first: the delete of the spare certificate heads the log.
    expect(await rows.first().textContent()).toMatch(new RegExp(`delete.*Certificate.*${spareCertId}`, 's'));
    expect(await rows.count()).toBeGreaterThanOrEqual(7);
    await page.getByLabel('Resource ID').fill(spareCertId);
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).locator('.action').textContent()).toBe('delete');
    expect(await rows.nth(1).locator('.action').textContent()).toBe('create');
    expect(new URL(page.url()).hash).toBe(`#/events?resourceId=${spareCertId}`);
    await page.getByLabel('Resource ID').fill('');
    await page.getByLabel('Kind').selectOption('Listener');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.locator(`a[href="#/r/listeners/${flakyId}"]`).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, '15-manage-events.png'), fullPage: true });
    // A new change shows up on its own.
    await page.getByLabel('Kind').selectOption('');
    const lb = await serve.api('POST', '/v1/load-balancers', { name: 'late-arrival' });
    expect(lb.status).toBe(201);
    await expect.poll(() => rows.first().textContent(), { timeout: 10_000 }).toContain(lb.body.id);
  }, 30_000);

  it('ran no script from the data, asked nothing of another origin and logged no error', () => {
    expect(watch.dialogs).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    // The browser logs the refused DELETE of the certificate in use (409) itself; nothing else may appear.
    expect(watch.unexpectedErrors((m) => m.text.includes('status of 409') && m.url.endsWith(`/v1/certificates/${usedCertId}`))).toEqual([]);
  });
});
