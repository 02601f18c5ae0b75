/**
 * The `gatehouse` command on a Node.js older than 24: an installed command starts on the first
 * `node` on PATH, so the compiled entry refuses an older one in one line naming the version it
 * needs and exits 1, instead of failing somewhere inside or doing nothing. From the checkout the
 * TypeScript entry still runs on Node 24 as before.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE_MAJOR } from '../../cli/gatehouse.ts';
import { GATEHOUSE_CLI, ROOT } from '../helpers/gatehouse-serve.ts';

/** NODE_20 is the machine's own Node.js, older than the project's. */
const NODE_20 = '/usr/bin/node';
/** NODE_24 is the project's Node.js (the devDependency `node`). */
const NODE_24 = join(ROOT, 'node_modules', '.bin', 'node');
const REFUSAL = /^gatehouse: requires Node\.js 24 or later, but was started by Node\.js 20\.\d+\.\d+ \(\/usr\/bin\/node\); put Node\.js 24 first on PATH\n$/;

let dir: string;
let compiledEntry: string;

beforeAll(async () => {
  // The entry compiled to JavaScript, as a package ships it: the commands stay in chunks of their
  // own that --version never loads, and ../package.json is where server/version reads it.
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-node-version-'));
  mkdirSync(join(dir, 'cli'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'gatehouse', version: '0.0.0-test', type: 'module' }));
  await build({
    entryPoints: [GATEHOUSE_CLI],
    outdir: join(dir, 'cli'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
  compiledEntry = join(dir, 'cli', 'gatehouse.js');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gatehouse on an older Node.js', () => {
  it('nodeVersionProblem accepts Node 24 and later and refuses older ones, naming both versions', () => {
    expect(REQUIRED_NODE_MAJOR).toBe(24);
    expect(nodeVersionProblem('24.0.0', '/x/node')).toBeUndefined();
    expect(nodeVersionProblem('25.1.0', '/x/node')).toBeUndefined();
    expect(nodeVersionProblem('22.18.0', '/x/node')).toBe('gatehouse: requires Node.js 24 or later, but was started by Node.js 22.18.0 (/x/node); put Node.js 24 first on PATH\n');
    expect(nodeVersionProblem('v20.19.5', '/x/node')).toMatch(/Node\.js 20\.19\.5 \(\/x\/node\)/);
  });

  it('the compiled entry started by Node 20 prints the one-line refusal and exits 1', () => {
    if (!existsSync(NODE_20)) throw new Error(`${NODE_20} is missing: the test needs the machine's Node 20`);
    for (const args of [['--version'], ['serve', '--help'], []]) {
      const run = spawnSync(NODE_20, [compiledEntry, ...args], { cwd: dir, encoding: 'utf8' });
      expect(run.stderr, args.join(' ')).toMatch(REFUSAL);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(1);
    }
  });

  it('the compiled entry runs on Node 24', () => {
    const run = spawnSync(NODE_24, [compiledEntry, '--version'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^gatehouse 0\.0\.0-test \(node v2[4-9]\.\d+\.\d+\)\n$/);
    expect(run.status).toBe(0);
  });

  it('the TypeScript entry of the checkout still runs on Node 24, and importing it runs nothing', () => {
    const run = spawnSync(NODE_24, [GATEHOUSE_CLI, '--version'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^gatehouse \d+\.\d+\.\d+\S* \(node v2[4-9]\./);
    const imported = spawnSync(NODE_24, ['--input-type=module', '-e', `await import(${JSON.stringify(GATEHOUSE_CLI)}); console.log('imported')`], { encoding: 'utf8' });
    expect(imported.stdout).toBe('imported\n');
    expect(imported.status).toBe(0);
  });
});
