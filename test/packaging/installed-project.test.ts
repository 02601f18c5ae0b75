/**
 * What the installed examples' suites rely on, checked directly: in the user's project a
 * program runs through the project's own Pulumi runner with ts-node on Node 20, resolves the
 * SDK and @pulumi/pulumi inside the project, with neither the checkout nor a Node 24 on
 * PATH; the plugin there is the archive's single executable.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram, type RunResult } from '../harness/index.ts';
import { ROOT } from '../helpers/gatehouse-serve.ts';
import { installedProject, USER_NODE, userPath, type InstalledProject } from './installed-project.ts';

/** A program that reports where it runs and what it loaded; it declares no resource. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as gatehouse from "@gatehouse/pulumi";

export const node = process.versions.node;
export const sdk = require.resolve("@gatehouse/pulumi");
export const pulumiSdk = require.resolve("@pulumi/pulumi");
export const tsNode = Object.getOwnPropertySymbols(process).some((s) => String(s).includes("ts-node"));
export const path = process.env.PATH;
export const classes = Object.keys(gatehouse).length;
export const stack = pulumi.getStack();
`;

let project: InstalledProject;
let stateDir = '';
let result: RunResult;

beforeAll(async () => {
  project = await installedProject();
  const dir = join(project.projectDir, 'where-am-i');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ts'), PROGRAM);
  stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-installed-state-'));
  result = await runProgram({
    mode: 'up',
    programFile: join(dir, 'index.ts'),
    project: 'where-am-i',
    stack: 'dev',
    pluginPath: project.pluginPath,
    statePath: join(stateDir, 'stack.json'),
    runner: { node: USER_NODE, cmdRun: project.cmdRun, typescript: true },
    env: { PATH: userPath(project) },
    timeoutMs: 60_000,
  });
}, 480_000);

afterAll(() => {
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('the installed project the examples run in', () => {
  it('has the SDK installed from its tarball (a folder, not a link into the checkout)', () => {
    const sdk = join(project.projectDir, 'node_modules', '@gatehouse', 'pulumi');
    expect(lstatSync(sdk).isSymbolicLink()).toBe(false);
    expect(project.projectDir.startsWith(ROOT)).toBe(false);
    expect((JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')) as { main: string }).main).toBe('index.js');
  });

  it("runs a program with the project's runner through ts-node on Node 20, resolving packages in the project, with no checkout on PATH", () => {
    expect(result.ok, `${result.error}\n${result.stderr}`).toBe(true);
    expect(result.outputs['node']).toMatch(/^20\./);
    expect(result.outputs['tsNode']).toBe(true);
    expect(result.outputs['sdk']).toBe(join(project.projectDir, 'node_modules', '@gatehouse', 'pulumi', 'index.js'));
    expect(String(result.outputs['pulumiSdk']).startsWith(join(project.projectDir, 'node_modules', '@pulumi', 'pulumi'))).toBe(true);
    expect(result.outputs['classes']).toBe(7);
    const path = String(result.outputs['path']);
    expect(path).not.toContain(ROOT);
    expect(path.split(':')[0]).toBe(project.pluginDir);
  });

  it('the plugin is the archive’s single executable, not a script that needs a Node.js', () => {
    const head = readFileSync(project.pluginPath).subarray(0, 2).toString('latin1');
    expect(head).not.toBe('#!');
    expect(lstatSync(project.pluginPath).size).toBeGreaterThan(50 * 1024 * 1024);
  });
});
