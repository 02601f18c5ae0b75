/**
 * EditPage (`#/r/<collection>/<id>/edit`): the resource's form prefilled from a read, its
 * replace fields shown but disabled, saved with a PUT carrying the read's ETag as If-Match (a
 * 412 VERSION_MISMATCH offers to read it again). Secrets are never prefilled. A certificate's
 * edit is its rotation: it lists the listeners and QUIC listeners that use it before saving,
 * and shows the new expiry once saved.
 */
import { useEffect, useState } from 'preact/hooks';
import { kindByCollection } from '../../../schema/kinds.ts';
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import { findReferrers } from '../../../schema/rules/referrers.ts';
import { worldFromLists } from '../../../schema/rules/world.ts';
import { apiCall, asApiError, listAll, type ApiError } from '../api.ts';
import { KIND_TITLES } from '../forms/presentation.ts';
import { daysLeft, ResourceEditor } from '../forms/resource-editor.tsx';
import type { Item } from '../forms/references.ts';
import { formFields } from '../forms/schema-fields.ts';
import type { Body } from '../forms/values.ts';
import { ProblemMessage } from '../problem-message.tsx';
import { href, type Collection } from '../router.ts';
import type { PageProps } from './page-props.ts';

interface Loaded {
  readonly item: Item;
  readonly etag: string | undefined;
  /** Bumped on every read, so a reload starts the form again. */
  readonly round: number;
}

/** editableBody keeps what a form edits of a read: the create body's fields, never a secret. */
export function editableBody(kind: ResourceKind, item: Item): Body {
  const body: Body = {};
  for (const spec of formFields(kind)) {
    if (kind.secretFields.includes(spec.key)) continue;
    if (item[spec.key] !== undefined) body[spec.key] = structuredClone(item[spec.key]);
  }
  return body;
}

/** EditPage edits one resource. */
export function EditPage({ token, onUnauthenticated, route }: PageProps & { route: { collection: Collection; id: string } }) {
  const kind = kindByCollection(route.collection);
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [saved, setSaved] = useState<Item | undefined>(undefined);

  const read = async (round: number) => {
    try {
      const answer = await apiCall<Item>({ method: 'GET', path: `/v1/${route.collection}/${encodeURIComponent(route.id)}`, token });
      if (answer.body) setLoaded({ item: answer.body, etag: answer.etag, round });
      setError(undefined);
    } catch (err) {
      const e = asApiError(err);
      if (e.status === 401) onUnauthenticated(e);
      setError(e);
    }
  };
  useEffect(() => {
    setLoaded(undefined);
    setSaved(undefined);
    void read(0);
  }, [route.collection, route.id, token]);

  if (!kind) return null;
  const title = KIND_TITLES[kind.name];
  const system = loaded?.item.system === true;
  return (
    <section class="card" aria-labelledby="edit-title">
      <h1 id="edit-title">
        {kind.name === 'Certificate' ? 'Rotate' : 'Edit'} {title} <span class="id">{route.id}</span>
      </h1>
      <p>
        <a href={href({ page: 'resource', collection: route.collection, id: route.id })}>Back to the {title}</a>
      </p>
      {error && <ProblemMessage error={error} />}
      {!loaded && !error && <p aria-live="polite">Loading…</p>}
      {saved && (
        <div class="notice" role="status">
          Saved: version {String(saved.version)}.
          {kind.name === 'Certificate' && typeof saved.notAfter === 'string' && (
            <>
              {' '}
              New expiry <span class="not-after">{saved.notAfter}</span> (<span class="days-left">{daysLeft(saved.notAfter)} days left</span>).
            </>
          )}
        </div>
      )}
      {system && <p>This is a system TLS policy: it is read-only.</p>}
      {loaded && !system && (
        <ResourceEditor
          key={`${route.collection}/${route.id}/${loaded.round}`}
          kind={kind}
          token={token}
          onUnauthenticated={onUnauthenticated}
          idPrefix={`edit-${route.collection}`}
          initial={editableBody(kind, loaded.item)}
          edit={{ id: route.id, previous: loaded.item, etag: loaded.etag }}
          onReload={() => void read(loaded.round + 1)}
          before={kind.name === 'Certificate' ? <CertificateUsage token={token} id={route.id} item={loaded.item} /> : undefined}
          onSaved={(item) => {
            setSaved(item);
            void read(loaded.round + 1);
          }}
        />
      )}
    </section>
  );
}

/** CertificateUsage lists the listeners and QUIC listeners that use a certificate, and its current expiry. */
function CertificateUsage({ token, id, item }: { token: string; id: string; item: Item }) {
  const [uses, setUses] = useState<{ kind: string; id: string; path: string }[] | undefined>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    void Promise.all([listAll<never>('listeners', token, abort.signal), listAll<never>('quic-listeners', token, abort.signal)]).then(
      ([Listener, QuicListener]) => setUses(findReferrers('Certificate', id, worldFromLists({ Listener, QuicListener }))),
      () => setUses(undefined),
    );
    return () => abort.abort();
  }, [id, token]);
  const notAfter = typeof item.notAfter === 'string' ? item.notAfter : undefined;
  return (
    <section class="rotation" aria-labelledby="usage-title">
      <h2 id="usage-title">Rotation</h2>
      {notAfter && (
        <p>
          Current expiry {notAfter} ({daysLeft(notAfter)} days left). Paste the new certificate and its key above; the listeners below serve it once saved.
        </p>
      )}
      {uses === undefined ? (
        <p>Reading which listeners use it…</p>
      ) : uses.length === 0 ? (
        <p class="usage-none">No listener uses this certificate.</p>
      ) : (
        <ul class="usage">
          {uses.map((u) => (
            <li key={`${u.id} ${u.path}`}>
              {u.kind === 'Listener' ? 'Listener' : 'QUIC listener'}{' '}
              <a href={href({ page: 'resource', collection: u.kind === 'Listener' ? 'listeners' : 'quic-listeners', id: u.id })}>{u.id}</a> as{' '}
              {u.path.startsWith('certificates.defaultCertificateId') ? 'default certificate' : u.path.startsWith('certificates.additional') ? 'extension certificate' : 'mutual-TLS CA'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
