/**
 * checkStoreIntegrity verifies a store end to end: SQLite's own page check, every row a valid
 * resource of its kind, every reference resolving (the compiled snapshot is consistent),
 * every sealed key opening under the master key, and the audit log in step with the revision
 * (one event per committed write, so a half-applied write would show).
 */
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import { SnapshotCompiler, secretContext } from '../compiler/compile.ts';
import type { Store } from './store.ts';

/** checkStoreIntegrity returns every problem found; an empty list means the store is sound. */
export function checkStoreIntegrity(store: Store): string[] {
  const problems = store.sqliteIntegrity().map((m) => `sqlite: ${m}`);
  for (const kind of ALL_RESOURCE_KINDS) {
    for (const row of store.resources.all(kind.name)) {
      const body = kind.name === 'Certificate' ? { ...row.body, expired: false } : row.body;
      const parsed = kind.output.safeParse(kind.name === 'Listener' || kind.name === 'QuicListener' ? { ...body, status: 'Provisioning' } : body);
      if (!parsed.success) problems.push(`${row.id}: stored body is not a valid ${kind.name}: ${parsed.error.issues[0]?.message ?? ''}`);
      if (row.body.id !== row.id || row.body.version !== row.version) problems.push(`${row.id}: body id/version disagree with the row`);
      if (kind.name === 'Certificate' && row.body.type === 'Server') {
        if (row.secret === null) problems.push(`${row.id}: Server certificate without a sealed key`);
        else {
          try {
            store.secrets.open(row.secret, secretContext(row.id));
          } catch {
            problems.push(`${row.id}: the sealed key does not open under the master key`);
          }
        }
      }
    }
  }
  const { problems: snapshotProblems } = new SnapshotCompiler(store).compile();
  for (const p of snapshotProblems) problems.push(`${p.resourceId} ${p.path}: ${p.message}`);
  const events = store.events.read({ limit: Number.MAX_SAFE_INTEGER });
  if (events.length !== store.revision()) problems.push(`revision ${store.revision()} but ${events.length} audit events`);
  events.forEach((e, i) => {
    if (e.revision !== i + 1) problems.push(`event ${e.seq} carries revision ${e.revision}, expected ${i + 1}`);
  });
  return problems;
}
