/**
 * ExampleStack: one example program deployed as a Pulumi stack through the harness engine
 * against a live `gatehouse serve`, with the provider configured as a user would
 * (`gatehouse:endpoint`, secret `gatehouse:token`), and `gatehouse drift` run as the real
 * command on the harness's state file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram, secret, type ConfigInput, type ProgramRunner, type RunMode, type RunResult, type Step } from '../../harness/index.ts';
import { nodeBinary } from '../../harness/program-process.ts';
import { cleanEnv, GATEHOUSE_CLI, PLUGIN, ROOT, type GatehouseServe } from '../../helpers/gatehouse-serve.ts';
import { writeDemoCerts, type DemoCerts } from '../../helpers/demo-certs.ts';

/** DriftRun is the outcome of `gatehouse drift`. */
export interface DriftRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * ExampleInstall says where an example program, its SDK and the provider plugin come from: the
 * checkout (CHECKOUT_INSTALL), or a project outside it where the packed artifacts were installed.
 */
export interface ExampleInstall {
  /** The folder holding one folder per example (`<examplesDir>/<example>/index.ts`). */
  readonly examplesDir: string;
  /** The provider plugin executable. */
  readonly pluginPath: string;
  /** How the program starts; the checkout's runner with type stripping when absent. */
  readonly runner?: ProgramRunner;
  /** Environment for the program and the plugin on top of the test's (e.g. a PATH without the checkout). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** CHECKOUT_INSTALL runs the checkout's examples with the checkout's plugin launcher. */
export const CHECKOUT_INSTALL: ExampleInstall = { examplesDir: join(ROOT, 'examples'), pluginPath: PLUGIN };

/** ExampleStackOptions name the example and its stack config (bare keys get the project namespace). */
export interface ExampleStackOptions {
  example: string;
  /** The `name` of the example's Pulumi.yaml: the namespace of its config keys. */
  project: string;
  server: GatehouseServe;
  /** Where the program, SDK and plugin come from; default the checkout. */
  install?: ExampleInstall;
}

/** ExampleStack owns a temporary folder: the state file and the demo certificates. */
export class ExampleStack {
  readonly example: string;
  readonly project: string;
  readonly server: GatehouseServe;
  readonly dir: string;
  readonly statePath: string;
  readonly certs: DemoCerts;
  readonly install: ExampleInstall;

  private constructor(o: ExampleStackOptions, dir: string, certs: DemoCerts) {
    this.install = o.install ?? CHECKOUT_INSTALL;
    this.example = o.example;
    this.project = o.project;
    this.server = o.server;
    this.dir = dir;
    this.statePath = join(dir, 'stack.json');
    this.certs = certs;
  }

  /** create makes the folder and writes the demo certificates into it. */
  static async create(o: ExampleStackOptions): Promise<ExampleStack> {
    const dir = await mkdtemp(join(tmpdir(), `gatehouse-e2e-${o.example}-`));
    try {
      return new ExampleStack(o, dir, await writeDemoCerts(dir));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** run performs one Pulumi operation on the example with the given stack config. */
  run(mode: RunMode, config: Readonly<Record<string, ConfigInput>>): Promise<RunResult> {
    return runProgram({
      mode,
      programFile: join(this.install.examplesDir, this.example, 'index.ts'),
      project: this.project,
      stack: 'e2e',
      pluginPath: this.install.pluginPath,
      statePath: this.statePath,
      config: { 'gatehouse:endpoint': this.server.url, 'gatehouse:token': secret(this.server.token), ...config },
      env: { ...this.install.env, GATEHOUSE_ENDPOINT: undefined, GATEHOUSE_TOKEN: undefined },
      timeoutMs: 45_000,
      ...(this.install.runner ? { runner: this.install.runner } : {}),
    });
  }

  /** drift runs `gatehouse drift --stack-export <state file>` with the endpoint and token in the environment. */
  drift(): Promise<DriftRun> {
    return new Promise((resolve) => {
      execFile(
        nodeBinary(),
        [GATEHOUSE_CLI, 'drift', '--stack-export', this.statePath],
        { cwd: this.dir, env: { ...cleanEnv(), GATEHOUSE_ENDPOINT: this.server.url, GATEHOUSE_TOKEN: this.server.token }, timeout: 20_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** close removes the folder; idempotent. */
  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** gatehouseSteps are the steps of Gatehouse resources (no stack, no provider). */
export function gatehouseSteps(r: RunResult): Step[] {
  return r.steps.filter((s) => s.type.startsWith('gatehouse:index:'));
}

/** stepOf finds the step of one resource by type and Pulumi name. */
export function stepOf(r: RunResult, type: string, name: string): Step | undefined {
  return r.steps.find((s) => s.type === `gatehouse:index:${type}` && s.urn.endsWith(`::${name}`));
}

/**
 * resourceMethods lists the distinct plugin methods a run called for Gatehouse resources. A
 * preview may call `create` / `update`: the plugin advertises supportsPreview, so the engine
 * asks it for the planned outputs (with `preview: true`), and it writes nothing.
 */
export function resourceMethods(r: RunResult): string[] {
  return [...new Set(r.providerCalls.filter((c) => c.urn.includes('::gatehouse:index:')).map((c) => c.method))].sort();
}

/** EMPTY is what `GatehouseServe.counts()` answers for a server holding nothing. */
export const EMPTY = Object.freeze({ 'load-balancers': 0, listeners: 0, 'quic-listeners': 0, certificates: 0, 'tls-policies': 0, 'server-groups': 0 });

/** failureText describes a failed run for an assertion message. */
export function failureText(r: RunResult): string {
  return `${r.error ?? ''}\n${r.diagnostics.map((d) => `${d.severity}: ${d.message}`).join('\n')}\n${r.stderr}\n${r.pluginOutput}`;
}
