/**
 * The artifacts `npm run pack` produces, built once per test run (into
 * node_modules/.cache/gatehouse-pack-<run>) and shared by every packaging test file.
 */
import { join } from 'node:path';
import { packAll } from '../../packaging/pack.ts';
import { ROOT } from '../helpers/gatehouse-serve.ts';
import { oncePerRun } from './once-per-run.ts';

/** PackedArtifacts are the absolute paths of the five artifacts. */
export interface PackedArtifacts {
  readonly sdkTarball: string;
  readonly pluginArchive: string;
  readonly serverTarball: string;
  readonly terraformArchive: string;
  readonly cdktfTarball: string;
}

/** packedArtifacts packs once for this test run (the first caller does it) and returns the paths. */
export function packedArtifacts(): Promise<PackedArtifacts> {
  return oncePerRun(join(ROOT, 'node_modules', '.cache'), 'gatehouse-pack', 300_000, async (dir) => {
    const [sdk, plugin, server, terraform, cdktf] = await packAll({ root: ROOT, outDir: join(dir, 'out'), buildDir: join(dir, 'build') });
    return { sdkTarball: sdk!.file, pluginArchive: plugin!.file, serverTarball: server!.file, terraformArchive: terraform!.file, cdktfTarball: cdktf!.file };
  });
}
