/**
 * DESIGN.md's one-way flow: nothing in engine/ imports server/, provider/, sdk/, SQLite or
 * Pulumi — the engine sees only schema/ types, node built-ins and its own libraries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE = join(import.meta.dirname, '../../engine');
const ALLOWED_PACKAGES = new Set(['undici', 'prom-client']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('engine/ imports', () => {
  it('reach only engine/, schema/, node built-ins, undici and prom-client', () => {
    const offending: string[] = [];
    for (const file of sources(ENGINE)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        const ok = spec.startsWith('node:') || ALLOWED_PACKAGES.has(spec) || (spec.startsWith('.') && !/\/(server|provider|sdk|cli)\//.test(spec));
        if (!ok) offending.push(`${relative(ENGINE, file)}: ${spec}`);
      }
      for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        if (!m[1]!.startsWith('node:') && !m[1]!.startsWith('.')) offending.push(`${relative(ENGINE, file)}: ${m[1]}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
