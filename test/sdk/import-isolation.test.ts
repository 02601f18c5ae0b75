/**
 * SPEC §5: `import * as gatehouse from "@gatehouse/pulumi"` loads the SDK alone — `sdk/`, `schema/` and
 * the npm dependencies — never the server, the engine or SQLite. Checked in a fresh Node
 * process that records every module resolved (import and require) and Node's own load list.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROOT_URL = pathToFileURL(ROOT).href;
const LISTER = fileURLToPath(new URL('./fixtures/list-loaded-modules.ts', import.meta.url));

interface Loaded {
  exported: string[];
  resolved: string[];
  moduleLoadList: string[];
}

async function load(target: string): Promise<Loaded> {
  const { stdout } = await run(process.execPath, [LISTER, target], { cwd: ROOT, timeout: 20_000 });
  return JSON.parse(stdout) as Loaded;
}

/** The checkout's own files that an import resolved, relative to the checkout. */
function ownFiles(loaded: Loaded): string[] {
  return [...new Set(loaded.resolved.filter((u) => u.startsWith(ROOT_URL) && !u.startsWith(`${ROOT_URL}node_modules/`)).map((u) => u.slice(ROOT_URL.length)))];
}

function usesSqlite(loaded: Loaded): boolean {
  return loaded.resolved.includes('node:sqlite') || loaded.moduleLoadList.some((m) => /\bsqlite\b/i.test(m));
}

describe('importing "@gatehouse/pulumi"', () => {
  it('resolves the package name to the SDK and exports the six classes and the Provider', async () => {
    const loaded = await load('@gatehouse/pulumi');
    expect(ownFiles(loaded)).toContain('sdk/index.ts');
    expect(loaded.exported).toEqual(['Certificate', 'Listener', 'LoadBalancer', 'Provider', 'QuicListener', 'ServerGroup', 'TlsSecurityPolicy']);
    expect(loaded.resolved.some((u) => u.includes('/node_modules/@pulumi/pulumi/'))).toBe(true);
  });

  it('loads only sdk/, schema/ and package.json from the checkout: no server/, engine/, provider/ or cli/', async () => {
    const loaded = await load('@gatehouse/pulumi');
    const outside = ownFiles(loaded).filter((f) => !f.startsWith('sdk/') && !f.startsWith('schema/') && f !== 'package.json');
    expect(outside).toEqual([]);
  });

  it('does not load node:sqlite', async () => {
    expect(usesSqlite(await load('@gatehouse/pulumi'))).toBe(false);
  });

  it('the detector does see SQLite when something loads it (control)', async () => {
    expect(usesSqlite(await load('node:sqlite'))).toBe(true);
  });
});
