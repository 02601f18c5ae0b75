/**
 * The console's forms in a real browser (issue: web console, the forms): Debian's Chromium
 * driven by playwright-core against a real `gatehouse serve`. The wizard creates an HTTPS
 * listener, uploading its certificate and creating its server group in place, and the listener
 * then serves the backend's answer over TLS; a port already used on the load balancer shows
 * PORT_CONFLICT on the Port field before Submit; Quick Create creates a listener; a
 * certificate's rotation lists its listeners and shows the new expiry. Screenshots of each step
 * and of the dialog go under the system's temporary directory, as the run's artifacts.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/free-port.ts';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';
import { issueCertificate } from '../helpers/pki.ts';
import { makePki, type TestPki } from '../server/support/api.ts';
import { launchConsoleBrowser, PageWatch, SHOTS, signIn } from './support/console-browser.ts';

const BACKEND_ANSWER = 'hello from the wizard backend';

let serve: GatehouseServe;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let backend: HttpServer;
let backendPort = 0;
let pki: TestPki;
let lbId = '';
let groupId = '';
let takenPort = 0;
const watch = new PageWatch();

beforeAll(async () => {
  backend = createHttpServer((_req, res) => res.end(BACKEND_ANSWER));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendPort = (backend.address() as { port: number }).port;
  [serve, pki] = await Promise.all([GatehouseServe.startFresh(), makePki()]);
  const api = async (path: string, body: unknown) => {
    const res = await serve.api('POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  lbId = (await api('/v1/load-balancers', { name: 'edge', edition: 'Standard' })).id;
  groupId = (await api('/v1/server-groups', { name: 'existing', servers: [{ address: '127.0.0.1', port: backendPort }] })).id;
  takenPort = await freePort();
  await api('/v1/listeners', { loadBalancerId: lbId, protocol: 'HTTP', port: takenPort, defaultServerGroupId: groupId, description: 'already here' });

  browser = await launchConsoleBrowser();
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = watch.watch(await context.newPage(), new URL(serve.url).origin);
  await page.goto(`${serve.url}/console/`);
  await signIn(page, serve.token);
  await page.locator('#listeners').waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve(undefined)));
});

/** httpsGet fetches a path through a listener, trusting the test certificate and sending its name by SNI. */
function httpsGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername: 'www.example.com', ca: pki.server.certPem }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function currentStep(): Promise<string | null> {
  return page.locator('[aria-current="step"]').textContent();
}

describe('the console forms in Chromium', () => {
  let certificateId = '';

  it('runs the wizard: PORT_CONFLICT on the port before Submit, certificate and server group created in place, the listener serves', async () => {
    await page.goto(`${serve.url}/console/#/listeners/new?loadBalancerId=${lbId}`);
    expect(await currentStep()).toBe('1. Configure Listener');
    // A port another listener of the load balancer holds: the dry run says so on the Port field.
    await page.locator('#wizard-port').fill(String(takenPort));
    const portField = page.locator('.field[data-path="port"]');
    await expect.poll(() => portField.textContent(), { timeout: 10_000 }).toContain('PORT_CONFLICT');
    expect(await page.locator('#wizard-port').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await currentStep()).toBe('1. Configure Listener');

    const port = await freePort();
    await page.locator('#wizard-port').fill(String(port));
    await page.locator('#wizard-description').fill('web front');
    await expect.poll(() => portField.textContent(), { timeout: 10_000 }).not.toContain('PORT_CONFLICT');
    await page.getByText('Modify').click();
    await page.screenshot({ path: join(SHOTS, 'wizard-1-configure.png'), fullPage: true });
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(currentStep).toBe('2. SSL Certificates');

    await page.getByRole('button', { name: 'Upload a certificate' }).click();
    await page.locator('#wizard-new-certificate-name').fill('www-cert');
    await page.locator('#wizard-new-certificate-certificatePem').fill(pki.server.certPem);
    await page.locator('#wizard-new-certificate-privateKeyPem').fill(pki.server.keyPem);
    await page.getByRole('button', { name: 'Upload the certificate' }).click();
    const certSelect = page.locator('#wizard-certificates-defaultCertificateId');
    await expect.poll(() => certSelect.inputValue(), { timeout: 10_000 }).toMatch(/^cert-/);
    certificateId = await certSelect.inputValue();
    await page.screenshot({ path: join(SHOTS, 'wizard-2-certificates.png'), fullPage: true });
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(currentStep).toBe('3. Server Group');

    await page.getByRole('button', { name: 'Create a server group' }).click();
    await page.locator('#wizard-new-group-name').fill('wizard-web');
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.locator('#wizard-new-group-servers-0-address').fill('127.0.0.1');
    await page.locator('#wizard-new-group-servers-0-port').fill(String(backendPort));
    await page.getByRole('button', { name: 'Create the server group' }).click();
    const groupSelect = page.locator('#wizard-defaultServerGroupId');
    await expect.poll(() => groupSelect.inputValue(), { timeout: 10_000 }).toMatch(/^sgp-/);
    await expect.poll(() => page.locator('.group-servers').textContent()).toContain(`127.0.0.1:${backendPort}`);
    await page.screenshot({ path: join(SHOTS, 'wizard-3-server-group.png'), fullPage: true });
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(currentStep).toBe('4. Review');

    const review = await page.locator('.review').textContent();
    expect(review).toContain(String(port));
    expect(review).toContain('www-cert');
    expect(review).toContain('Idle Connection Timeout Period');
    await page.screenshot({ path: join(SHOTS, 'wizard-4-review.png'), fullPage: true });
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/#\/r\/listeners\/lsn-/);
    const id = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
    await eventually(async () => expect((await serve.api('GET', `/v1/listeners/${id}`)).body.status).toBe('Running'));
    const got = await httpsGet(port);
    expect(got).toEqual({ status: 200, body: BACKEND_ANSWER });
  }, 60_000);

  it('creates a listener with the Quick Create dialog', async () => {
    await page.goto(`${serve.url}/console/#/listeners/quick-create?loadBalancerId=${lbId}`);
    const dialog = page.locator('dialog.quick-create');
    await dialog.waitFor();
    expect(await inPage('document.querySelector("dialog.quick-create").open')).toBe(true);
    const port = await freePort();
    await page.locator('#quick-port').fill(String(port));
    await expect.poll(() => page.locator('#quick-certificates-defaultCertificateId option').count()).toBeGreaterThan(1);
    await page.locator('#quick-certificates-defaultCertificateId').selectOption(certificateId);
    await page.locator('#quick-defaultServerGroupId').selectOption(groupId);
    await expect.poll(() => page.locator('.dry-run-status').textContent(), { timeout: 10_000 }).toContain('accepts');
    await page.screenshot({ path: join(SHOTS, 'quick-create-dialog.png'), fullPage: true });
    await page.getByRole('button', { name: 'OK' }).click();
    await page.waitForURL(/#\/r\/listeners\/lsn-/);
    const list = await serve.api('GET', `/v1/listeners?loadBalancerId=${lbId}`);
    expect((list.body.items as { port: number }[]).some((l) => l.port === port)).toBe(true);
  }, 30_000);

  it('rotates a certificate: lists its listeners, saves the new PEM and key, and shows the new expiry', async () => {
    const notAfter = new Date(Date.now() + 400 * 86_400_000);
    const renewed = await issueCertificate({ commonName: 'www.example.com', dnsNames: ['www.example.com', 'example.com'], notAfter });
    await page.goto(`${serve.url}/console/#/r/certificates/${certificateId}/edit`);
    await expect.poll(() => page.locator('.usage').textContent(), { timeout: 10_000 }).toContain('as default certificate');
    expect(await page.locator('#edit-certificates-privateKeyPem').inputValue()).toBe('');
    expect(await page.locator('#edit-certificates-type').isDisabled()).toBe(true);
    await page.locator('#edit-certificates-certificatePem').fill(renewed.certPem);
    await page.locator('#edit-certificates-privateKeyPem').fill(renewed.keyPem);
    await page.getByRole('button', { name: 'Save' }).click();
    const shown = page.locator('.not-after');
    await shown.waitFor({ timeout: 10_000 });
    const stored = (await serve.api('GET', `/v1/certificates/${certificateId}`)).body;
    expect(await shown.textContent()).toBe(stored.notAfter);
    expect(Math.abs(Date.parse(stored.notAfter) - notAfter.getTime())).toBeLessThan(2000);
    expect(await page.locator('.days-left').textContent()).toMatch(/^(399|400) days left$/);
    await page.screenshot({ path: join(SHOTS, 'certificate-rotation.png'), fullPage: true });
  }, 30_000);

  it('logged no error and asked nothing of another origin', () => {
    expect(watch.dialogs).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    // The browser logs every refused fetch as an error; a dry run that refuses is the check working.
    expect(watch.unexpectedErrors((m) => m.url.includes('dryRun=true'))).toEqual([]);
  });
});

function inPage(expression: string): Promise<unknown> {
  return page.evaluate(expression);
}
