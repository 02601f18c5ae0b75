/** UsesList shows the listeners that use a resource, each linked, with how it uses it. */
import type { Use } from './usage.ts';
import { ResourceLink } from './resource-link.tsx';

/** UsesList lists uses, or says that nothing uses the resource. */
export function UsesList({ uses, label }: { uses: readonly Use[]; label: string }) {
  if (uses.length === 0) return <span class="sub unused">not used</span>;
  return (
    <ul class="uses" aria-label={label}>
      {uses.map((u) => (
        <li key={`${u.id}/${u.role}`}>
          <ResourceLink collection={u.collection} id={u.id} /> <span class="sub">port {u.port}</span> <span class="role">{u.role}</span>
        </li>
      ))}
    </ul>
  );
}
