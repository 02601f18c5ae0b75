/**
 * oncePerRun: a result that several test files of one test run share, built by the first file
 * that asks and awaited by the others. Test files run in forked workers of one vitest
 * process, so that process's pid names the run; the result is JSON in `<parent>/<name>-<run>`,
 * and folders of runs whose process is gone are removed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '../helpers/process-alive.ts';

function removeStaleRuns(parent: string, name: string): void {
  for (const entry of readdirSync(parent)) {
    const m = new RegExp(`^${name}-(\\d+)$`).exec(entry);
    if (m && Number(m[1]) !== process.ppid && !processAlive(Number(m[1]))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

/**
 * oncePerRun returns what `build` produced for this run. `build` gets an empty folder of its
 * own to work in, which lives as long as the run; waiting callers give up after timeoutMs.
 */
export async function oncePerRun<T>(parent: string, name: string, timeoutMs: number, build: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(parent, `${name}-${process.ppid}`);
  const done = join(dir, 'done.json');
  const failed = join(dir, 'failed.txt');
  mkdirSync(parent, { recursive: true });
  let owner = false;
  try {
    mkdirSync(dir);
    owner = true;
  } catch {
    // Another test file is building (or has built) it for this run.
  }
  if (owner) {
    removeStaleRuns(parent, name);
    try {
      const result = await build(dir);
      writeFileSync(done, JSON.stringify(result));
      return result;
    } catch (err) {
      writeFileSync(failed, err instanceof Error ? (err.stack ?? err.message) : String(err));
      throw err;
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as T;
    if (existsSync(failed)) throw new Error(`${name} failed in another test file:\n${readFileSync(failed, 'utf8')}`);
    await sleep(200);
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
}
