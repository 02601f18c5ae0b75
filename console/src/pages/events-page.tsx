/**
 * EventsPage (`#/events`, optionally `?resourceId=`): the audit log of `GET /v1/events`, newest
 * first: when, what (create, update, delete), which resource (kind and id, linked), its version
 * after the change and the address the change came from. It reads the whole log page by page once,
 * then asks only for what came after the last event it has (`?since=<seq>`), every few seconds,
 * so new changes appear on their own. A filter narrows it to one resource (its id) and a kind.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuditEvent } from '../../../schema/api/audit-event.ts';
import { ALL_RESOURCE_KINDS } from '../../../schema/kinds.ts';
import { apiGet } from '../api.ts';
import { ProblemMessage } from '../problem-message.tsx';
import { href } from '../router.ts';
import { labelOf } from '../views/fields.tsx';
import { usePolling } from '../views/live.ts';
import { LiveStatus } from '../views/live-status.tsx';
import { collectionOfKind, IdLink } from '../views/resource-link.tsx';
import { Table } from '../views/section.tsx';
import '../views/views.css';
import type { PageProps } from './page-props.ts';

/** EVENTS_PAGE is how many events one call asks for (the API's most). */
const EVENTS_PAGE = 1000;
/** KEEP is how many of the latest events the page holds. */
export const KEEP = 5000;
/** SHOWN is how many matching events the table shows at most. */
const SHOWN = 500;

/** readEventsAfter reads every event after `seq` (all of them when undefined), following the pages. */
async function readEventsAfter(seq: number | undefined, token: string, signal: AbortSignal): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let after = seq;
  for (;;) {
    const query = new URLSearchParams({ limit: String(EVENTS_PAGE) });
    if (after !== undefined) query.set('since', String(after));
    const page = await apiGet<{ items: AuditEvent[]; nextToken?: string | null }>(`/v1/events?${query.toString()}`, token, signal);
    events.push(...page.items);
    if (events.length > KEEP) events.splice(0, events.length - KEEP);
    const last = page.items.at(-1);
    if (!page.nextToken || !last) return events;
    after = last.seq;
  }
}

/** EventsPage is the audit log, live and filtered. */
export function EventsPage({ token, onUnauthenticated, route }: PageProps & { route: { resourceId?: string } }) {
  const [events, setEvents] = useState<readonly AuditEvent[] | undefined>(undefined);
  const [resourceId, setResourceId] = useState(route.resourceId ?? '');
  const [kindName, setKindName] = useState('');
  const lastSeq = useRef<number | undefined>(undefined);
  const held = useRef<AuditEvent[]>([]);
  // A link to another resource's events, followed from this page, sets the filter anew.
  useEffect(() => setResourceId(route.resourceId ?? ''), [route.resourceId]);

  const polling = usePolling(
    async (signal) => {
      const fresh = await readEventsAfter(lastSeq.current, token, signal);
      if (fresh.length === 0 && lastSeq.current !== undefined) return;
      held.current = [...held.current, ...fresh].slice(-KEEP);
      lastSeq.current = held.current.at(-1)?.seq ?? lastSeq.current;
      // Newest first.
      setEvents([...held.current].reverse());
    },
    [token],
    onUnauthenticated,
  );

  const setResourceFilter = (value: string) => {
    setResourceId(value);
    // The address follows the filter (a reload or a shared link keeps it), without a history entry per keystroke.
    history.replaceState(null, '', href({ page: 'events', ...(value.trim() ? { resourceId: value.trim() } : {}) }));
  };

  const idFilter = resourceId.trim().toLowerCase();
  const shown = (events ?? []).filter((e) => (idFilter === '' || e.resourceId.toLowerCase().includes(idFilter)) && (kindName === '' || e.kind === kindName));

  return (
    <>
      <div class="page-head">
        <h1>Events</h1>
        <LiveStatus polling={polling} />
      </div>
      {polling.error && <ProblemMessage error={polling.error} />}
      <section class="card" aria-labelledby="events-title">
        <h2 id="events-title">
          Audit log <span class="count">({events === undefined ? '…' : shown.length === (events?.length ?? 0) ? events.length : `${shown.length} of ${events.length}`})</span>
        </h2>
        <form class="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
          <div>
            <label for="event-resource">Resource ID</label>
            <input id="event-resource" type="search" value={resourceId} onInput={(e) => setResourceFilter(e.currentTarget.value)} autocomplete="off" spellcheck={false} />
          </div>
          <div>
            <label for="event-kind">Kind</label>
            <select id="event-kind" value={kindName} onChange={(e) => setKindName(e.currentTarget.value)}>
              <option value="">All kinds</option>
              {ALL_RESOURCE_KINDS.map((k) => (
                <option key={k.name} value={k.name}>
                  {labelOf(k.name)}
                </option>
              ))}
            </select>
          </div>
        </form>
        {events !== undefined && shown.length === 0 ? (
          <p class="empty">{events.length === 0 ? 'No changes yet.' : 'No event matches the filter.'}</p>
        ) : (
          <Table head={['Time', 'Action', 'Kind', 'Resource', 'Version', 'Source address', 'Seq']} label="Audit events, newest first">
            {shown.slice(0, SHOWN).map((e) => (
              <tr key={e.seq} data-seq={e.seq}>
                <td>
                  <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
                </td>
                <td class={`action action-${e.action}`}>{e.action}</td>
                <td>{e.kind}</td>
                <td>
                  <IdLink id={e.resourceId} collection={collectionOfKind(e.kind)} />
                </td>
                <td class="num">{e.version}</td>
                <td class="id">{e.sourceAddress}</td>
                <td class="num">{e.seq}</td>
              </tr>
            ))}
          </Table>
        )}
        {shown.length > SHOWN && <p class="hint">The latest {SHOWN} matching events are shown; narrow the filter to see older ones.</p>}
      </section>
    </>
  );
}
