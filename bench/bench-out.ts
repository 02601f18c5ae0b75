/**
 * writeRunJson: where a benchmark keeps the figures of one run — bench/out/<name>-<time>.json,
 * beside the summary it prints (and may write into bench/RESULTS.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** writeRunJson writes `data` as bench/out/<name>-<ms since the epoch>.json, making the folder if needed. */
export function writeRunJson(name: string, data: unknown): void {
  const outDir = join(import.meta.dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}-${Date.now()}.json`), JSON.stringify(data, null, 2));
}
