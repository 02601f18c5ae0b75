/**
 * What every browser test of the console shares: the console's build, Debian's Chromium through
 * playwright-core (no browser download), the folder the screenshots go to (the run's artifacts,
 * not committed), signing in, and a watch on each page for errors, dialogs and requests to
 * another origin — the checks every such test ends with.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../helpers/gatehouse-serve.ts';
import { requireTool } from './tools.ts';

/** CHROMIUM is Debian's Chromium (`apt-get install chromium`, see .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';
/** SHOTS is where the console's screenshots go. */
export const SHOTS = join(tmpdir(), 'gatehouse-console-screenshots');

/**
 * launchConsoleBrowser builds the console when this checkout has not yet, makes the screenshot
 * folder and starts a headless Chromium.
 */
export async function launchConsoleBrowser(): Promise<Browser> {
  requireTool(CHROMIUM);
  if (!existsSync(join(ROOT, 'console', 'dist', 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build:console'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build:console failed:\n${build.stdout}\n${build.stderr}`);
  }
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** signIn fills the sign-in form with the token and submits it (the caller waits for what it expects). */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** ConsoleMessage is an error the page logged, with the address of what it concerns. */
export interface ConsoleMessage {
  text: string;
  url: string;
}

/**
 * PageWatch records what a page did that the console never should: errors (logged or thrown),
 * dialogs (alert, confirm: the console uses <dialog> elements), and requests to another
 * origin than the server's. Dialogs are dismissed so the page goes on.
 */
export class PageWatch {
  readonly errors: ConsoleMessage[] = [];
  readonly dialogs: string[] = [];
  readonly foreignRequests: string[] = [];

  /** watch records a page (any number of pages share one watch). */
  watch(page: Page, origin: string): Page {
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push({ text: m.text(), url: m.location().url });
    });
    page.on('pageerror', (e) => this.errors.push({ text: String(e), url: page.url() }));
    page.on('dialog', (d) => {
      this.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== origin) this.foreignRequests.push(r.url());
    });
    return page;
  }

  /**
   * unexpectedErrors are the errors left once the browser's own line for each API refusal the
   * test caused on purpose is set aside: Chromium logs every fetch answered 4xx as an error,
   * and `refusedOnPurpose` says which of those the test expects (a dry run finding the port
   * taken, a delete refused IN_USE).
   */
  unexpectedErrors(refusedOnPurpose: (m: ConsoleMessage) => boolean = () => false): string[] {
    return this.errors.filter((m) => !(/the server responded with a status of 4\d\d/.test(m.text) && refusedOnPurpose(m))).map((m) => m.text);
  }
}
