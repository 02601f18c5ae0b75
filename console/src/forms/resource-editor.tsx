/**
 * ResourceEditor is the form of one resource of any kind: create (POST) or edit (PUT with
 * If-Match), checked as the user types (the schema, then the API's dry run), every refusal
 * shown with its code at the field it concerns. Standalone it is a <form>; inside another form
 * (the wizard's inline creates) it is a group whose button creates the resource.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import { apiCall, asApiError, type ApiError } from '../api.ts';
import { ProblemMessage } from '../problem-message.tsx';
import type { Collection } from '../router.ts';
import type { FormContext } from './controls.tsx';
import { KIND_TITLES } from './presentation.ts';
import { useReferences, type Item } from './references.ts';
import { FormFields, OtherProblems, useResourceForm } from './resource-form.tsx';
import { formFields, type FieldSpec } from './schema-fields.ts';
import { problemsOfRefusal } from './validation.ts';
import type { Body } from './values.ts';

/** referencedCollections lists the collections a kind's reference fields pick from. */
export function referencedCollections(specs: readonly FieldSpec[]): Collection[] {
  const out = new Set<Collection>();
  const walk = (list: readonly FieldSpec[]) => {
    for (const s of list) {
      if (s.presentation.reference) out.add(s.presentation.reference.collection);
      walk(s.children);
    }
  };
  walk(specs);
  return [...out];
}

/** EditorProps: the kind, create or edit, and what to do once written. */
export interface EditorProps {
  readonly kind: ResourceKind;
  readonly token: string;
  readonly onUnauthenticated?: ((e: ApiError) => void) | undefined;
  readonly idPrefix: string;
  readonly initial?: Body | undefined;
  /** Edit: the stored resource, its id and its ETag. */
  readonly edit?: { readonly id: string; readonly previous: Body; readonly etag: string | undefined } | undefined;
  readonly onSaved: (item: Item) => void;
  /** Inside another form: a group with a button, not a form of its own. */
  readonly inline?: boolean;
  readonly submitLabel?: string;
  /** Shown above the buttons (e.g. which listeners use a certificate). */
  readonly before?: ComponentChildren;
  /** Shown when the API answers 412 VERSION_MISMATCH, to read the resource again. */
  readonly onReload?: (() => void) | undefined;
}

/** ResourceEditor renders and submits the form of one resource. */
export function ResourceEditor(props: EditorProps) {
  const { kind, token, edit } = props;
  const specs = formFields(kind);
  const form = useResourceForm({
    kind,
    op: edit ? 'update' : 'create',
    initial: props.initial ?? {},
    previous: edit?.previous,
    id: edit?.id,
    token,
    onUnauthenticated: props.onUnauthenticated,
  });
  const refs = useReferences(token, referencedCollections(specs), props.onUnauthenticated);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | undefined>(undefined);
  const https = kind.name !== 'Listener' || form.value.protocol !== 'HTTP';
  const secretNote = edit ? 'Write-only: never shown. Leave empty to keep the stored one.' : 'Write-only: it is never shown again.';
  const ctx: FormContext = {
    idPrefix: props.idPrefix,
    value: form.value,
    set: form.set,
    problems: form.visible,
    lists: refs.lists,
    https,
    disabled: edit ? (s) => s.facts.replaces === true : undefined,
    notes: Object.fromEntries(kind.secretFields.map((f) => [f, secretNote])),
  };

  const submit = async () => {
    form.revealAll();
    setRefusal(undefined);
    if (form.local.length > 0) return;
    setBusy(true);
    try {
      const answer = await apiCall<Item>(
        edit
          ? {
              method: 'PUT',
              path: `/v1/${kind.collection}/${encodeURIComponent(edit.id)}`,
              token,
              body: form.value,
              headers: edit.etag ? { 'if-match': edit.etag } : {},
            }
          : { method: 'POST', path: `/v1/${kind.collection}`, token, body: form.value },
      );
      if (answer.body) props.onSaved(answer.body);
    } catch (err) {
      const e = asApiError(err);
      if (e.status === 401) props.onUnauthenticated?.(e);
      setRefusal(e);
      if (e.code !== 'VERSION_MISMATCH') form.setRefusal(problemsOfRefusal(e));
    } finally {
      setBusy(false);
    }
  };

  const dry = form.dryRun;
  const body = (
    <>
      <FormFields ctx={ctx} specs={specs} />
      <OtherProblems problems={form.visible} specs={specs} https={https} />
      {refs.error && <ProblemMessage error={refs.error} />}
      {props.before}
      <p class={dry.valid ? 'dry-run-status ok' : 'dry-run-status'} aria-live="polite">
        {dry.pending ? 'Checking with the API…' : dry.valid ? 'The API accepts this (dry run).' : ''}
      </p>
      {refusal && <ProblemMessage error={refusal} />}
      {refusal?.code === 'VERSION_MISMATCH' && props.onReload && (
        <p>
          Someone else changed this {KIND_TITLES[kind.name]} since it was read.{' '}
          <button type="button" class="secondary" onClick={props.onReload}>
            Reload the current version
          </button>
        </p>
      )}
      <div class="form-actions">
        <button type={props.inline ? 'button' : 'submit'} disabled={busy} onClick={props.inline ? () => void submit() : undefined}>
          {props.submitLabel ?? (edit ? 'Save' : `Create ${KIND_TITLES[kind.name]}`)}
        </button>
      </div>
    </>
  );
  if (props.inline) return <div class="inline-editor">{body}</div>;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {body}
    </form>
  );
}

/** daysLeft is how many whole days remain until a time (negative once past). */
export function daysLeft(notAfter: string, now = Date.now()): number {
  return Math.floor((Date.parse(notAfter) - now) / 86_400_000);
}
