/**
 * ResourcePage (`#/r/<collection>/<id>`) shows one resource, live: every field of its read, laid
 * out from its kind's output schema; for a certificate the listeners that use it, for a TLS policy
 * the listeners offering it, for a server group each server's health now. It links to the edit
 * page, the resource as code and its events, and deletes it after a confirmation; a refusal
 * (IN_USE with its referrers, DELETION_PROTECTED) shows as the API worded it.
 */
import { useRef, useState } from 'preact/hooks';
import type { ServerGroupHealth } from '../../../schema/api/server-health.ts';
import { kindByCollection } from '../../../schema/kinds.ts';
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import type { ListenerOutput } from '../../../schema/resources/listener.ts';
import type { QuicListenerOutput } from '../../../schema/resources/quic-listener.ts';
import type { ServerGroupOutput } from '../../../schema/resources/server-group.ts';
import { apiCall, ApiError, asApiError } from '../api.ts';
import { ProblemMessage } from '../problem-message.tsx';
import { href, navigate, type Collection } from '../router.ts';
import { ConfirmDelete, DeleteRefused } from '../views/delete-dialog.tsx';
import { Expiry } from '../views/expiry.tsx';
import { labelOf, ResourceFields } from '../views/fields.tsx';
import { readHealth, ServerList } from '../views/health.tsx';
import { ListWatch, sameJson, usePolling } from '../views/live.ts';
import { LiveStatus } from '../views/live-status.tsx';
import { StatusView } from '../views/status.tsx';
import { certificateUses, policyUses, type Use } from '../views/usage.ts';
import { UsesList } from '../views/uses.tsx';
import '../views/views.css';
import type { PageProps } from './page-props.ts';

type Body = Record<string, unknown>;

/** Seen is what the page last read: the resource and what it shows beside it. */
interface Seen {
  readonly body: Body;
  readonly uses?: readonly Use[];
  readonly health?: ServerGroupHealth | undefined;
}

/** ResourcePage is the page of one resource. */
export function ResourcePage({ token, onUnauthenticated, route }: PageProps & { route: { collection: Collection; id: string } }) {
  const { collection, id } = route;
  const kind = kindByCollection(collection);
  if (!kind) return <ProblemMessage error={new ApiError(404, 'NOT_FOUND', `There is no collection ${collection}`)} />;
  return <ResourceView key={`${collection}/${id}`} kind={kind} collection={collection} id={id} token={token} onUnauthenticated={onUnauthenticated} />;
}

function ResourceView({ kind, collection, id, token, onUnauthenticated }: PageProps & { kind: ResourceKind; collection: Collection; id: string }) {
  const [seen, setSeen] = useState<Seen | undefined>(undefined);
  const last = useRef<{ etag?: string | undefined; seen?: Seen }>({});
  const lists = useRef({ listeners: new ListWatch<ListenerOutput>('/v1/listeners'), quic: new ListWatch<QuicListenerOutput>('/v1/quic-listeners') });
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<ApiError | undefined>(undefined);

  const polling = usePolling(
    async (signal) => {
      const path = `/v1/${collection}/${encodeURIComponent(id)}`;
      const etag = last.current.etag;
      const answer = await apiCall<Body>({ method: 'GET', path, token, signal, ...(etag && last.current.seen ? { headers: { 'if-none-match': etag } } : {}) });
      const body = answer.status === 304 && last.current.seen ? last.current.seen.body : answer.body;
      if (body === undefined) throw new ApiError(answer.status, 'API_OFF_CONTRACT', `Unexpected answer ${answer.status} from the management API`);
      let next: Seen = { body };
      if (collection === 'certificates') {
        await Promise.all([lists.current.listeners.refresh(token, signal), lists.current.quic.refresh(token, signal)]);
        next = { ...next, uses: certificateUses(id, lists.current.listeners.items, lists.current.quic.items) };
      } else if (collection === 'tls-policies') {
        await lists.current.listeners.refresh(token, signal);
        next = { ...next, uses: policyUses(id, lists.current.listeners.items) };
      } else if (collection === 'server-groups') {
        next = { ...next, health: await readHealth(id, token, signal) };
      }
      last.current.etag = answer.etag ?? etag;
      // Redraw only on a change: a 304, or the same document again, keeps what is on the page.
      if (last.current.seen && sameJson(last.current.seen, next)) return;
      last.current.seen = next;
      setSeen(next);
    },
    [collection, id, token],
    onUnauthenticated,
  );

  const body = seen?.body;
  const name = typeof body?.name === 'string' ? body.name : undefined;
  const kindWords = labelOf(kind.name);
  const what = `${kindWords} ${name ? `“${name}” (${id})` : id}`;
  const readOnly = body?.system === true;
  const gone = polling.error?.status === 404;

  const remove = async () => {
    setBusy(true);
    try {
      await apiCall({ method: 'DELETE', path: `/v1/${collection}/${encodeURIComponent(id)}`, token });
      navigate({ page: 'overview' });
    } catch (err) {
      const problem = asApiError(err);
      if (problem.status === 401) return onUnauthenticated(problem);
      setRefused(problem);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>
          {kindWords} <span class={name ? undefined : 'id'}>{name ?? id}</span>
        </h1>
        <LiveStatus polling={polling} />
      </div>
      <nav aria-label={`${kindWords} actions`}>
        <ul class="links">
          {!readOnly && (
            <li>
              <a href={href({ page: 'edit', collection, id })}>Edit</a>
            </li>
          )}
          <li>
            <a href={href({ page: 'code', collection, id })}>Show as code</a>
          </li>
          <li>
            <a href={href({ page: 'events', resourceId: id })}>Events</a>
          </li>
          {!readOnly && !gone && (
            <li>
              <button
                type="button"
                class="danger"
                onClick={() => {
                  setRefused(undefined);
                  setConfirming(true);
                }}
              >
                Delete…
              </button>
            </li>
          )}
          <li>
            <a href={href({ page: 'overview' })}>Back to the overview</a>
          </li>
        </ul>
      </nav>
      {readOnly && <p class="hint">A system policy: read-only, it cannot be edited or deleted.</p>}
      {refused && <DeleteRefused error={refused} />}
      {polling.error && <ProblemMessage error={polling.error} />}
      {confirming && <ConfirmDelete what={what} busy={busy} onConfirm={() => void remove()} onCancel={() => setConfirming(false)} />}
      {seen && !gone && <SeenView kind={kind} collection={collection} seen={seen} />}
    </>
  );
}

function SeenView({ kind, collection, seen }: { kind: ResourceKind; collection: Collection; seen: Seen }) {
  const body = seen.body;
  return (
    <>
      {typeof body.status === 'string' && kind.runtimeStatus && (
        <section class="card" aria-labelledby="status-title">
          <h2 id="status-title">Status now</h2>
          <div class="status-cell" data-testid="live-status">
            <StatusView status={body.status} statusReason={typeof body.statusReason === 'string' ? body.statusReason : undefined} nodes={body.nodes as never} />
          </div>
        </section>
      )}
      {collection === 'certificates' && typeof body.notAfter === 'string' && (
        <section class="card" aria-labelledby="usage-title">
          <h2 id="usage-title">Expiry and use</h2>
          <p>
            Expires <Expiry notAfter={body.notAfter} now={new Date()} />
          </p>
          <UsesList uses={seen.uses ?? []} label="Listeners using this certificate" />
        </section>
      )}
      {collection === 'tls-policies' && (
        <section class="card" aria-labelledby="usage-title">
          <h2 id="usage-title">Listeners offering it</h2>
          <UsesList uses={seen.uses ?? []} label="Listeners offering this policy" />
        </section>
      )}
      {collection === 'server-groups' && (
        <section class="card" aria-labelledby="health-title">
          <h2 id="health-title">Servers and their health now</h2>
          <ServerList group={body as unknown as ServerGroupOutput} health={seen.health} />
        </section>
      )}
      <section class="card" aria-labelledby="fields-title">
        <h2 id="fields-title">Fields</h2>
        <ResourceFields kind={kind} value={body} />
      </section>
    </>
  );
}
