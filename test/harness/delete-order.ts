/**
 * Dependency order for deletions: a resource goes only after everything that depends on it
 * (through `dependencies`, `parent`, `provider` or `propertyDependencies`) is gone.
 */
import type { StateResource } from './state-file.ts';
import { parseProviderRef } from './urn.ts';

/** dependenciesOf lists the URNs a stored resource depends on. */
export function dependenciesOf(r: StateResource): string[] {
  const deps = new Set<string>(r.dependencies ?? []);
  if (r.parent) deps.add(r.parent);
  if (r.provider) deps.add(parseProviderRef(r.provider).urn);
  for (const urns of Object.values(r.propertyDependencies ?? {})) for (const u of urns) deps.add(u);
  deps.delete(r.urn);
  return [...deps];
}

/**
 * deletionWaves groups resources into waves that can be deleted in parallel: each wave holds
 * the resources no remaining resource depends on.
 */
export function deletionWaves(resources: readonly StateResource[]): StateResource[][] {
  const remaining = new Set(resources);
  const waves: StateResource[][] = [];
  while (remaining.size > 0) {
    const needed = new Set<string>();
    for (const r of remaining) for (const d of dependenciesOf(r)) needed.add(d);
    const wave = [...remaining].filter((r) => !needed.has(r.urn));
    if (wave.length === 0) {
      // A cycle cannot come from a real program; delete the rest in reverse order rather than hang.
      waves.push([...remaining].reverse());
      break;
    }
    for (const r of wave) remaining.delete(r);
    waves.push(wave);
  }
  return waves;
}
