/** Section and Table: a titled card with a "New …" link, and a table that scrolls sideways inside its own box on a narrow screen. */
import type { ComponentChildren } from 'preact';
import { href, type Collection } from '../router.ts';

/** Section is one card of a page, titled, with its count and optionally a link to create one more. */
export function Section(props: { id: string; title: string; count: number; newLink?: { collection: Collection; label: string }; children: ComponentChildren }) {
  return (
    <section class="card" id={props.id} aria-labelledby={`${props.id}-title`}>
      <div class="section-head">
        <h2 id={`${props.id}-title`}>
          {props.title} <span class="count">({props.count})</span>
        </h2>
        {props.newLink && (
          <a class="new-link" href={href({ page: 'create', collection: props.newLink.collection })}>
            {props.newLink.label}
          </a>
        )}
      </div>
      {props.count === 0 ? <p class="empty">None yet.</p> : props.children}
    </section>
  );
}

/** Table is a table with column heads; the box takes focus so the keyboard can scroll it. */
export function Table(props: { head: readonly string[]; label?: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={props.label ?? 'table, scrolls sideways'}>
      <table>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
