/**
 * runProgram: one `pulumi preview | up | refresh | destroy` against a provider plugin, without
 * the Pulumi CLI. The harness is the engine: it serves the ResourceMonitor and Engine, runs
 * the program through @pulumi/pulumi's own runner, drives the plugin over gRPC and keeps the
 * stack's state in a `pulumi stack export`-shaped JSON file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyTime } from './call-timing.ts';
import { Deployment, type ConfigEntry } from './deployment.ts';
import { MonitorServer } from './monitor-server.ts';
import type { PluginCallRecord } from './plugin-host.ts';
import { nodeBinary, runProgramProcess, type ProgramExit, type ProgramRunner } from './program-process.ts';
import { Secret, toPlain } from './property-value.ts';
import { ProviderRegistry } from './providers.ts';
import { passphraseFor, readState, writeState, type StateResource } from './state-file.ts';
import type { CheckFailureRecord, Diagnostic, Step } from './steps.ts';

/** RunMode is the Pulumi operation to perform. */
export type RunMode = 'preview' | 'up' | 'refresh' | 'destroy';

/** ConfigInput is a stack config value: a string, or `{value, secret: true}` for a secret. */
export type ConfigInput = string | { value: string; secret?: boolean };

/** RunProgramOptions describe one operation. */
export interface RunProgramOptions {
  mode: RunMode;
  /** Entry file of the program (`.ts` run by type stripping, or `.js`). Needed for preview and up. */
  programFile?: string;
  /** Or the program's folder: its package.json `main`, else `index.ts`, else `index.js`. */
  programDir?: string;
  /** Stack name; default `dev`. */
  stack?: string;
  /** Project name; default the program folder's name (or `harness` without a program). */
  project?: string;
  /** Stack config, keys `namespace:key` (a bare key gets the project namespace). */
  config?: Readonly<Record<string, ConfigInput>>;
  /** Plugin executable, e.g. `<repo>/provider/pulumi-resource-gatehouse`. */
  pluginPath?: string;
  /** Package served by pluginPath; default from its name `pulumi-resource-<pkg>`, else `gatehouse`. */
  packageName?: string;
  /** Further plugins by package name. */
  plugins?: Readonly<Record<string, string>>;
  /** The state file; missing means an empty stack. Preview never writes it. */
  statePath: string;
  /** Extra environment for the program and the plugins. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Passphrase sealing secrets in the state; default PULUMI_CONFIG_PASSPHRASE, else a fixed test one. */
  secretsPassphrase?: string;
  /** Whole-operation limit for the program process; default 120 s. */
  timeoutMs?: number;
  /** `--parallel` for the program; default unbounded, as the CLI. */
  parallel?: number;
  /** How to start the program; default the checkout's runner on Node 24 with type stripping. */
  runner?: ProgramRunner;
}

/** RunResult is what happened. */
export interface RunResult {
  /** True when the operation completed without error. */
  ok: boolean;
  /** The first error (resource failure, program failure, timeout), if any. */
  error?: string;
  /** Resource operations in completion order (stack, providers and components included). */
  steps: Step[];
  /** Engine.log messages from the program and plugins, plus the harness's own errors. */
  diagnostics: Diagnostic[];
  /** Check / CheckConfig failures with their property paths. */
  checkFailures: CheckFailureRecord[];
  /** Stack outputs with secrets revealed (unknowns in preview appear as the unknown sentinel). */
  outputs: Record<string, unknown>;
  /** Names of stack outputs that are secret. */
  secretOutputs: string[];
  /**
   * Milliseconds: whole operation; plugin gRPC calls summed (overlapping calls each count);
   * providerWall, the time at least one plugin call was in flight (≤ total); program process.
   */
  durations: { total: number; provider: number; providerWall: number; program: number };
  /** Every plugin gRPC call in completion order with its duration. */
  providerCalls: PluginCallRecord[];
  /** The state after the operation (for preview: the planned state, not written). */
  resources: StateResource[];
  /** Program process output. */
  stdout: string;
  stderr: string;
  /** What the plugins wrote to stderr (and to stdout after the port line): for debugging failures. */
  pluginOutput: string;
}

/** runProgram performs one operation and always cleans up its processes and server. */
export async function runProgram(o: RunProgramOptions): Promise<RunResult> {
  const started = performance.now();
  const needsProgram = o.mode === 'preview' || o.mode === 'up';
  const entry = needsProgram ? resolveEntry(o) : undefined;
  const project = o.project ?? (entry ? basename(entry.dir) : 'harness');
  const stack = o.stack ?? 'dev';
  const passphrase = passphraseFor(o.secretsPassphrase);
  const config = normaliseConfig(o.config ?? {}, project);
  const flatConfig = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
  const env = childEnv(o.env ?? {});
  const prior = await readState(o.statePath, passphrase);

  const diagnostics: Diagnostic[] = [];
  const calls: PluginCallRecord[] = [];
  const server = new MonitorServer({ onLog: (d) => diagnostics.push(d) });
  let registry: ProviderRegistry | undefined;
  let deployment: Deployment | undefined;
  let exit: ProgramExit | undefined;
  let programMs = 0;
  let pluginOutput = '';
  let error: string | undefined;
  try {
    const address = await server.start();
    registry = new ProviderRegistry({
      plugins: pluginTable(o),
      engineAddress: address,
      env,
      config: flatConfig,
      ...(entry ? { rootDirectory: entry.dir, programDirectory: entry.dir } : {}),
      onCall: (r) => calls.push(r),
    });
    deployment = new Deployment({ project, stack, dryRun: o.mode === 'preview', prior, providers: registry, config, diagnostics });
    server.attach(deployment);
    if (entry) {
      const t0 = performance.now();
      exit = await runProgramProcess({
        programFile: entry.file, pwd: entry.dir, project, stack, organization: 'organization',
        monitorAddress: address, engineAddress: address, dryRun: o.mode === 'preview',
        parallel: o.parallel ?? 2147483647, config: flatConfig,
        secretKeys: Object.keys(config).filter((k) => config[k]?.secret), env, timeoutMs: o.timeoutMs ?? 120_000,
        ...(o.runner ? { runner: o.runner } : {}),
      });
      programMs = performance.now() - t0;
      await deployment.settle();
      error = deployment.errors[0] ?? programFailure(exit, diagnostics);
      if (!error) await deployment.finishUpdate();
    } else if (o.mode === 'refresh') {
      await deployment.refresh();
    } else {
      await deployment.destroy();
    }
  } catch (err) {
    error ??= err instanceof Error ? err.message : String(err);
  } finally {
    await deployment?.settle();
    await registry?.close();
    pluginOutput = registry?.pluginOutput ?? '';
    await server.close();
  }
  const resources = deployment ? deployment.finalState(o.mode === 'refresh' || o.mode === 'destroy' ? o.mode : 'up') : prior;
  if (o.mode !== 'preview' && deployment) await writeState(o.statePath, resources, passphrase);
  error ??= deployment?.errors[0];
  const stackOutputs = deployment?.stackOutputs ?? {};
  const result: RunResult = {
    ok: error === undefined,
    steps: deployment?.steps ?? [],
    diagnostics,
    checkFailures: deployment?.checkFailures ?? [],
    outputs: Object.fromEntries(Object.entries(stackOutputs).map(([k, v]) => [k, toPlain(v)])),
    secretOutputs: Object.entries(stackOutputs).filter(([, v]) => v instanceof Secret).map(([k]) => k),
    durations: { total: performance.now() - started, provider: registry?.providerMs ?? 0, providerWall: busyTime(calls), program: programMs },
    providerCalls: calls,
    resources,
    stdout: exit?.stdout ?? '',
    stderr: exit?.stderr ?? '',
    pluginOutput,
  };
  if (error !== undefined) result.error = error;
  return result;
}

/** secret marks a config value secret: `config: {'gatehouse:token': secret('t0k3n')}`. */
export function secret(value: string): ConfigInput {
  return { value, secret: true };
}

function resolveEntry(o: RunProgramOptions): { file: string; dir: string } {
  if (o.programFile) {
    const file = resolve(o.programFile);
    if (!existsSync(file)) throw new Error(`program file ${file} does not exist`);
    return { file, dir: dirname(file) };
  }
  if (!o.programDir) throw new Error(`${o.mode} needs programFile or programDir`);
  const dir = resolve(o.programDir);
  const pkgPath = join(dir, 'package.json');
  if (existsSync(pkgPath)) {
    const main = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && existsSync(join(dir, main))) return { file: join(dir, main), dir };
  }
  for (const f of ['index.ts', 'index.js', 'index.mjs']) {
    if (existsSync(join(dir, f))) return { file: join(dir, f), dir };
  }
  throw new Error(`no entry file (package.json main, index.ts, index.js) in ${dir}`);
}

function pluginTable(o: RunProgramOptions): Record<string, string> {
  const table: Record<string, string> = { ...(o.plugins ?? {}) };
  if (o.pluginPath) {
    const fromName = /^pulumi-resource-([A-Za-z0-9_-]+?)(?:\.[A-Za-z0-9]+)?$/.exec(basename(o.pluginPath))?.[1];
    table[o.packageName ?? fromName ?? 'gatehouse'] = resolve(o.pluginPath);
  }
  return table;
}

function normaliseConfig(config: Readonly<Record<string, ConfigInput>>, project: string): Record<string, ConfigEntry> {
  const out: Record<string, ConfigEntry> = {};
  for (const [k, v] of Object.entries(config)) {
    const key = k.includes(':') ? k : `${project}:${k}`;
    out[key] = typeof v === 'string' ? { value: v, secret: false } : { value: v.value, secret: v.secret === true };
  }
  return out;
}

/**
 * childEnv builds the environment of the program and plugins: this process's, without the
 * test runner's NODE_OPTIONS, with Node 24 first on PATH (so `#!/usr/bin/env node` plugins
 * get it), then the caller's additions.
 */
function childEnv(extra: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  env['PATH'] = [dirname(nodeBinary()), env['PATH'] ?? ''].filter(Boolean).join(delimiter);
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function programFailure(exit: ProgramExit, diagnostics: readonly Diagnostic[]): string | undefined {
  if (exit.timedOut) return `program did not finish in time and was killed; stderr: ${tail(exit.stderr)}`;
  if (exit.code === 0) return undefined;
  const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  const detail = errors.length > 0 ? errors.join('\n') : tail(exit.stderr);
  return `program exited with code ${String(exit.code ?? exit.signal)}: ${detail}`;
}

function tail(s: string): string {
  return s.length > 4000 ? `…${s.slice(-4000)}` : s;
}
