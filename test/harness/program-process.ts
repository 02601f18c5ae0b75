/**
 * Runs a Pulumi TypeScript program through `@pulumi/pulumi/cmd/run`, the same runner the
 * Node.js language host uses, on Node 24 with type stripping.
 *
 * cmd/run only loads ts-node when PULUMI_NODEJS_TYPESCRIPT is "true". By default the harness
 * removes that variable and passes the `.ts` entry file itself, so Node 24 strips the types and
 * the checkout's `package.json` (`"type": "module"`) makes it an ES module. A ProgramRunner runs
 * a program as an installed project does instead: that project's own `@pulumi/pulumi` runner,
 * on the Node it names, with ts-node when `typescript` is set (Pulumi's default TypeScript setup).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PULUMI_CMD_RUN } from './grpc-stubs.ts';

/** ProgramRunner starts a program the way an installed project's Node.js language host would. */
export interface ProgramRunner {
  /** The Node.js executable. */
  readonly node: string;
  /** The project's `@pulumi/pulumi/cmd/run/index.js`. */
  readonly cmdRun: string;
  /** Compile TypeScript with ts-node (`PULUMI_NODEJS_TYPESCRIPT=true`), as Pulumi does by default. */
  readonly typescript: boolean;
}

/** ProgramProcessOptions are the arguments of one program run. */
export interface ProgramProcessOptions {
  /** Absolute path of the entry file. */
  programFile: string;
  /** Working directory of the program (`--pwd`). */
  pwd: string;
  project: string;
  stack: string;
  organization: string;
  monitorAddress: string;
  engineAddress: string;
  dryRun: boolean;
  parallel: number;
  /** PULUMI_CONFIG contents (`ns:key` → string) and the secret keys among them. */
  config: Readonly<Record<string, string>>;
  secretKeys: readonly string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** How to start the program; the checkout's runner on Node 24 with type stripping when absent. */
  runner?: ProgramRunner;
}

/** ProgramExit is how the program process ended. */
export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** nodeBinary returns a Node ≥ 24 executable: this process's, or the `node` devDependency's. */
export function nodeBinary(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  const require = createRequire(import.meta.url);
  const candidate = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
  if (existsSync(candidate)) return candidate;
  throw new Error(`Node ${process.versions.node} cannot run TypeScript programs and no Node 24 was found`);
}

/** runProgramProcess starts the program, waits for it to exit (or kills it at the timeout). */
export function runProgramProcess(o: ProgramProcessOptions): Promise<ProgramExit> {
  const args = [
    o.runner?.cmdRun ?? PULUMI_CMD_RUN,
    `--monitor=${o.monitorAddress}`,
    `--engine=${o.engineAddress}`,
    `--project=${o.project}`,
    `--stack=${o.stack}`,
    `--organization=${o.organization}`,
    `--root-directory=${o.pwd}`,
    `--pwd=${o.pwd}`,
    `--parallel=${o.parallel}`,
    ...(o.dryRun ? ['--dry-run'] : []),
    o.programFile,
  ];
  const env: NodeJS.ProcessEnv = {
    ...o.env,
    PULUMI_CONFIG: JSON.stringify(o.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(o.secretKeys),
  };
  if (o.runner?.typescript) env['PULUMI_NODEJS_TYPESCRIPT'] = 'true';
  else delete env['PULUMI_NODEJS_TYPESCRIPT'];
  delete env['NODE_OPTIONS'];
  return new Promise((resolve, reject) => {
    const child = spawn(o.runner?.node ?? nodeBinary(), args, { cwd: o.pwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { stdout = (stdout + d).slice(-262_144); });
    child.stderr.on('data', (d: string) => { stderr = (stderr + d).slice(-262_144); });
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}
