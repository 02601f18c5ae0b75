/**
 * Checks a generated Pulumi program as a user would meet it: `tsc` on it in a project folder
 * of its own whose `node_modules` is the checkout's (so `@gatehouse/pulumi` resolves the way it
 * does for the examples), and a run under Pulumi's mocks (test/schema/fixtures/run-program.ts)
 * that reports what it declared.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNNER = fileURLToPath(new URL('../schema/fixtures/run-program.ts', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Declared is one resource a program declared under the mocks. */
export interface Declared {
  type: string;
  name: string;
  /** The `import` option's id, '' without one. */
  importId: string;
  inputs: Record<string, unknown>;
}

/** ProgramFolder is a temporary Pulumi project folder holding generated programs. */
export class ProgramFolder {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** create makes the folder: the checkout's node_modules linked in, and the checkout's compiler options. */
  static async create(): Promise<ProgramFolder> {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-program-'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const rootConfig = JSON.parse(await readFile(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: rootConfig.compilerOptions, include: ['*.ts'] }, null, 2));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'generated', private: true, type: 'module' }));
    return new ProgramFolder(dir);
  }

  /** write puts a program in the folder and returns its path. */
  async write(fileName: string, program: string): Promise<string> {
    const path = join(this.dir, fileName);
    await writeFile(path, program);
    return path;
  }

  /** typeCheck runs tsc on every program of the folder: '' when it passes, else its report. */
  async typeCheck(): Promise<string> {
    try {
      await run(process.execPath, [TSC, '--noEmit', '-p', this.dir], { cwd: this.dir, timeout: 60_000 });
      return '';
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      return `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
    }
  }

  /** runUnderMocks runs one program under Pulumi's mocks and returns what it declared. */
  async runUnderMocks(path: string, options: { ids: Record<string, string>; config: Record<string, string> }): Promise<Declared[]> {
    const { stdout } = await run(process.execPath, [RUNNER, path, JSON.stringify(options)], { cwd: this.dir, timeout: 30_000 });
    return (JSON.parse(stdout) as { declared: Declared[] }).declared;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
