/**
 * Driving the real terraform CLI against the provider in this checkout: whether the tests run
 * (they fail rather than skip under CI when terraform is missing), a CLI configuration whose
 * development override points `gatehouse/gatehouse` at terraform/, and one bounded run of the
 * CLI with a clean environment.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../../helpers/gatehouse-serve.ts';
import { runTool } from '../../interop/support/tools.ts';

/** TERRAFORM_DIR holds the terraform-provider-gatehouse launcher. */
export const TERRAFORM_DIR = join(ROOT, 'terraform');

/** RUN_TIMEOUT_MS bounds each terraform command; a plugin that never answers fails the test, not the run. */
export const RUN_TIMEOUT_MS = 60_000;

/** TERRAFORM_FOUND tells whether terraform is on the PATH. */
export const TERRAFORM_FOUND = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).status === 0;

/** RUN_TERRAFORM_TESTS: the tests run where terraform is, and always under CI (where a missing CLI fails them). */
export const RUN_TERRAFORM_TESTS = TERRAFORM_FOUND || process.env.CI !== undefined;

/** requireTerraform fails a suite's setup when terraform is missing. */
export function requireTerraform(): void {
  if (!TERRAFORM_FOUND) throw new Error('terraform is not on the PATH; the Terraform provider tests need it (CI must install it)');
}

/** TerraformRun is how one terraform command (or another bounded child process) ended. */
export interface TerraformRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** shown renders a run for an assertion message. */
export function shown(run: TerraformRun): string {
  return `exit ${String(run.code)}\n${run.stdout}\n${run.stderr}`;
}

/** writeCliConfig writes `<home>/terraform.rc`, overriding gatehouse/gatehouse with this checkout's provider; it returns its path. */
export function writeCliConfig(home: string): string {
  const path = join(home, 'terraform.rc');
  writeFileSync(path, `provider_installation {\n  dev_overrides {\n    "gatehouse/gatehouse" = ${JSON.stringify(TERRAFORM_DIR)}\n  }\n  direct {}\n}\n`);
  return path;
}

/** TerraformCommand is one run of the CLI. */
export interface TerraformCommand {
  /** The working folder (holding main.tf); its .terraform data folder lives inside it. */
  cwd: string;
  /** The CLI configuration file (writeCliConfig). */
  cliConfig: string;
  args: readonly string[];
  /** More environment, e.g. GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN or TF_LOG. */
  env?: NodeJS.ProcessEnv;
}

/** runTerraform runs terraform without the caller's TF_* settings, killed at RUN_TIMEOUT_MS. */
export function runTerraform(command: TerraformCommand): Promise<TerraformRun> {
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    TF_CLI_CONFIG_FILE: command.cliConfig,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    TF_DATA_DIR: join(command.cwd, '.terraform'),
  };
  delete env.TF_LOG;
  delete env.TF_LOG_PATH;
  delete env.TF_PLUGIN_CACHE_DIR;
  Object.assign(env, command.env);
  return runBounded('terraform', command.args, { cwd: command.cwd, env });
}

/** runBounded runs a command to its end with the given environment, killed at RUN_TIMEOUT_MS, and resolves with how it ended. */
export function runBounded(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<TerraformRun> {
  return runTool(file, args, { ...options, timeoutMs: RUN_TIMEOUT_MS });
}
