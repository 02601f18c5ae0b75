/**
 * Deleting a resource: a confirmation dialog (a real modal <dialog>; focus moves into it, Escape
 * or Cancel closes it and gives focus back) that names what will be deleted. A refusal shows as
 * the API worded it, with its code, title and detail, and for IN_USE the referrers it named, each
 * linked to its page.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../api.ts';
import { ProblemMessage } from '../problem-message.tsx';
import { collectionOfKind, IdLink } from './resource-link.tsx';

/** ConfirmDeleteProps: what is deleted (in words), whether a call is under way, and the two answers. */
export interface ConfirmDeleteProps {
  readonly what: string;
  readonly busy: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** ConfirmDelete is the modal dialog asking to confirm a delete; it is open while rendered. */
export function ConfirmDelete({ what, busy, onConfirm, onCancel }: ConfirmDeleteProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    if (typeof d.showModal === 'function') d.showModal();
    else d.setAttribute('open', '');
    // The safe answer takes the focus: Enter right away does not delete.
    cancel.current?.focus();
    return () => {
      if (d.open && typeof d.close === 'function') d.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-delete-title"
      aria-describedby="confirm-delete-text"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <h2 id="confirm-delete-title">Delete {what}?</h2>
      <p id="confirm-delete-text">
        This deletes <strong>{what}</strong> from the configuration; the engine stops using it. It cannot be undone.
      </p>
      <div class="dialog-buttons">
        <button type="button" class="secondary" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={onConfirm} disabled={busy}>
          {busy ? 'Deleting…' : 'Delete'}
        </button>
      </div>
    </dialog>
  );
}

/** Referrer is one resource an IN_USE refusal names. */
export interface Referrer {
  readonly kind: string;
  readonly id: string;
  readonly through: string;
}

/** referrersOf reads the referrers out of an IN_USE refusal's errors (`Listener lsn-… references it through certificates.defaultCertificateId`). */
export function referrersOf(error: ApiError): Referrer[] {
  return error.errors.flatMap((e) => {
    const m = /^(\S+) (\S+) references it through (.+)$/.exec(e.message);
    return m ? [{ kind: m[1]!, id: m[2]!, through: m[3]! }] : [];
  });
}

/** DeleteRefused shows a refused delete: the API's code, title and detail, and what still uses the resource. */
export function DeleteRefused({ error }: { error: ApiError }) {
  const referrers = referrersOf(error);
  const others = error.errors.filter((e) => !/ references it through /.test(e.message));
  return (
    <div class="delete-refused">
      <ProblemMessage error={error} id="delete-problem" />
      {referrers.length > 0 && (
        <>
          <p>Still in use by:</p>
          <ul class="referrers" aria-label="Resources that still use it">
            {referrers.map((r) => (
              <li key={`${r.id}/${r.through}`}>
                {r.kind} <IdLink id={r.id} collection={collectionOfKind(r.kind)} /> <span class="sub">through {r.through}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {others.length > 0 && (
        <ul class="referrers">
          {others.map((e, i) => (
            <li key={i}>{e.path ? `${e.path}: ${e.message}` : e.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
