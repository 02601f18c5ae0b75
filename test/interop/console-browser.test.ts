/**
 * The web console in a real browser (issue: web console, first slice): Debian's Chromium driven
 * by playwright-core against a real `gatehouse serve`. Signing in with the token shows the
 * overview with the listeners' status (a Failed one with its reason) and updates without a
 * reload; a description holding `<img src=x onerror=…>` shows literally and runs nothing; a
 * wrong token shows the API's problem code and title; logging out forgets the token; the CSP
 * header is on the page; no request leaves for another origin; the page logs no error. The
 * screenshots go to a folder under the system's temporary directory, as the run's artifacts.
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
let blocker: Server;
let listenerId = '';
let failedId = '';
let groupId = '';
const watch = new PageWatch();

beforeAll(async () => {
  serve = await GatehouseServe.startFresh();
  const pki = await makePki();
  const api = async (path: string, body: unknown) => {
    const res = await serve.api('POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const lb = await api('/v1/load-balancers', { name: 'edge', edition: 'Standard' });
  const sg = await api('/v1/server-groups', { name: 'web', servers: [{ address: '127.0.0.1', port: 9, weight: 70, description: HOSTILE }] });
  groupId = sg.id;
  await api('/v1/certificates', { name: 'www-cert', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem });
  const port = await freePort();
  listenerId = (await api('/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id, description: HOSTILE })).id;
  // A port another process holds: that listener fails, and the console shows why.
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
  const taken = (blocker.address() as { port: number }).port;
  failedId = (await api('/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: taken, defaultServerGroupId: sg.id, description: 'blocked' })).id;
  await eventually(async () => expect((await serve.api('GET', `/v1/listeners/${listenerId}`)).body.status).toBe('Running'));
  await eventually(async () => expect((await serve.api('GET', `/v1/listeners/${failedId}`)).body.status).toBe('Failed'));

  browser = await launchConsoleBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
});

/** watched opens a page the watch records. */
async function watched(context: BrowserContext): Promise<Page> {
  return watch.watch(await context.newPage(), new URL(serve.url).origin);
}

/** inPage evaluates an expression in the page (a string: the tests are not type-checked against the DOM). */
function inPage(page: Page, expression: string): Promise<unknown> {
  return page.evaluate(expression);
}

describe('the console in Chromium', () => {
  it('serves the page with its CSP and signs in with the token to the overview', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watched(context);
    const res = await page.goto(`${serve.url}/console/`);
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    await page.screenshot({ path: join(SHOTS, '01-sign-in.png'), fullPage: true });

    await signIn(page, serve.token);
    const row = page.locator(`tr[data-id="${listenerId}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator('.status').textContent()).toBe('Running');
    expect(await row.locator('td').nth(2).textContent()).toBe('HTTP');

    const failed = page.locator(`tr[data-id="${failedId}"]`);
    expect(await failed.locator('.status').textContent()).toBe('Failed');
    expect((await failed.locator('.reason').textContent())?.length).toBeGreaterThan(0);

    // The token lives in this tab's sessionStorage only: no cookie, nothing in the URL.
    expect(await inPage(page, "sessionStorage.getItem('gatehouse.adminToken')")).toBe(serve.token);
    expect(await context.cookies()).toEqual([]);
    expect(page.url()).not.toContain(serve.token);

    // Certificates show their names and days left; server groups their servers.
    expect(await page.locator('#certificates').textContent()).toMatch(/www-cert.*days left/s);
    expect(await page.locator('#server-groups').textContent()).toContain('127.0.0.1:9');
    await page.screenshot({ path: join(SHOTS, '02-overview-desktop.png'), fullPage: true });

    // The hostile description shows literally, as text, and nothing ran.
    expect(await row.locator('td.description').textContent()).toBe(HOSTILE);
    expect(await page.locator('#listeners img, #server-groups img, main script').count()).toBe(0);
    expect(await inPage(page, 'window.__owned')).toBeUndefined();
    expect(await page.locator('#server-groups').textContent()).toContain(HOSTILE);

    // A change made through the API reaches the page by polling, without a reload.
    const marker = await inPage(page, 'window.__sameDocument = true');
    expect(marker).toBe(true);
    const put = await serve.api('PUT', `/v1/server-groups/${groupId}`, {
      name: 'web',
      servers: [{ address: '127.0.0.1', port: 9, weight: 70, description: HOSTILE }, { address: '127.0.0.2', port: 8080 }],
    });
    expect(put.status).toBe(200);
    await expect.poll(() => page.locator('#server-groups').textContent(), { timeout: 15_000 }).toContain('127.0.0.2:8080');
    expect(await inPage(page, 'window.__sameDocument')).toBe(true);

    // Logging out forgets the token.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect(await inPage(page, "sessionStorage.getItem('gatehouse.adminToken')")).toBeNull();
    await page.reload();
    await page.getByLabel('Admin token').waitFor();
    await context.close();
  }, 60_000);

  it('shows the API problem code and title for a wrong token', async () => {
    const context = await browser.newContext();
    const page = await watched(context);
    await page.goto(`${serve.url}/console/`);
    await signIn(page, 'not-the-admin-token');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.locator('.problem-code').textContent()).toBe('UNAUTHENTICATED');
    expect((await alert.locator('.problem-title').textContent())?.length).toBeGreaterThan(0);
    expect(await inPage(page, "sessionStorage.getItem('gatehouse.adminToken')")).toBeNull();
    await page.screenshot({ path: join(SHOTS, '03-wrong-token.png'), fullPage: true });
    await context.close();
  }, 30_000);

  it('is usable at 360 px wide on every page and with the keyboard, in the dark theme too', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 780 }, colorScheme: 'dark' });
    const page = await watched(context);
    await page.goto(`${serve.url}/console/`);
    // The first Tab reaches the skip link, the second the token field.
    await page.keyboard.press('Tab');
    expect(await inPage(page, 'document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await inPage(page, 'document.activeElement?.id')).toBe('token');
    await page.keyboard.type(serve.token);
    await page.keyboard.press('Enter');
    await page.locator(`tr[data-id="${listenerId}"]`).waitFor();
    // The page itself does not scroll sideways; wide tables scroll inside their own box.
    expect(await inPage(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    const dark = await inPage(page, 'getComputedStyle(document.body).backgroundColor');
    expect(dark).toBe('rgb(20, 23, 27)');
    await page.screenshot({ path: join(SHOTS, '04-overview-360-dark.png'), fullPage: true });
    // Every other page fits the narrow screen too.
    const pages: [string, string][] = [
      ['#/listeners/new', '05-wizard-360.png'],
      ['#/listeners/quick-create', '06-quick-create-360.png'],
      [`#/r/listeners/${listenerId}`, '07-listener-360.png'],
      [`#/r/listeners/${listenerId}/edit`, '08-edit-listener-360.png'],
      [`#/r/server-groups/${groupId}`, '09-server-group-360.png'],
      ['#/r/certificates/new', '10-new-certificate-360.png'],
      ['#/events', '11-events-360.png'],
      ['#/drift', '12-drift-360.png'],
      [`#/code/listeners/${listenerId}`, '13-code-360.png'],
    ];
    for (const [hash, shot] of pages) {
      await page.goto(`${serve.url}/console/${hash}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect({ hash, scrollWidth: await inPage(page, 'document.documentElement.scrollWidth') }).toEqual({ hash, scrollWidth: 360 });
      await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
    }
    await context.close();
  }, 60_000);

  it('ran no script from the data, asked nothing of another origin and logged no error', () => {
    expect(watch.dialogs).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    // The browser itself logs the wrong token's refused check (401) as an error; nothing else may appear.
    expect(watch.unexpectedErrors((m) => m.text.includes('status of 401') && m.url.includes('/v1/load-balancers?limit=1'))).toEqual([]);
  });
});
