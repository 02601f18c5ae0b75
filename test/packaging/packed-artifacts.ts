/**
 * The artifacts `npm run pack` produces, built once per test run and shared by every packaging
 * test file: the first file to ask packs into node_modules/.cache/gatehouse-pack-<run>, the
 * others wait for it. Test files run in forked workers of one vitest process, so that process's
 * pid names the run; folders of runs whose process is gone are removed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packAll } from '../../packaging/pack.ts';
import { ROOT } from '../helpers/gatehouse-serve.ts';

/** PackedArtifacts are the absolute paths of the three artifacts. */
export interface PackedArtifacts {
  readonly sdkTarball: string;
  readonly pluginArchive: string;
  readonly serverTarball: string;
}

const CACHE = join(ROOT, 'node_modules', '.cache');
const PACK_TIMEOUT_MS = 300_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function removeStaleRuns(): void {
  if (!existsSync(CACHE)) return;
  for (const name of readdirSync(CACHE)) {
    const m = /^gatehouse-pack-(\d+)$/.exec(name);
    if (m && Number(m[1]) !== process.ppid && !alive(Number(m[1]))) rmSync(join(CACHE, name), { recursive: true, force: true });
  }
}

/** packedArtifacts packs once for this test run (the first caller does it) and returns the paths. */
export async function packedArtifacts(): Promise<PackedArtifacts> {
  const dir = join(CACHE, `gatehouse-pack-${process.ppid}`);
  const done = join(dir, 'done.json');
  const failed = join(dir, 'failed.txt');
  mkdirSync(CACHE, { recursive: true });
  let owner = false;
  try {
    mkdirSync(dir);
    owner = true;
  } catch {
    // Another test file is packing (or has packed) for this run.
  }
  if (owner) {
    removeStaleRuns();
    try {
      const [sdk, plugin, server] = await packAll({ root: ROOT, outDir: join(dir, 'out'), buildDir: join(dir, 'build') });
      const result: PackedArtifacts = { sdkTarball: sdk!.file, pluginArchive: plugin!.file, serverTarball: server!.file };
      writeFileSync(done, JSON.stringify(result));
      return result;
    } catch (err) {
      writeFileSync(failed, err instanceof Error ? (err.stack ?? err.message) : String(err));
      throw err;
    }
  }
  const deadline = Date.now() + PACK_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as PackedArtifacts;
    if (existsSync(failed)) throw new Error(`packing failed in another test file:\n${readFileSync(failed, 'utf8')}`);
    await sleep(200);
  }
  throw new Error(`the artifacts were not packed within ${PACK_TIMEOUT_MS / 1000} s`);
}
