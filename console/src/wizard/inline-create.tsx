/**
 * InlineCreate: a disclosure inside the wizard or the Quick Create dialog ("Upload a
 * certificate", "Create a TLS policy", "Create a server group") holding the form of that kind;
 * once the API creates the resource, the caller selects it.
 */
import { useState } from 'preact/hooks';
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import type { ApiError } from '../api.ts';
import type { Item } from '../forms/references.ts';
import { ResourceEditor } from '../forms/resource-editor.tsx';
import type { Body } from '../forms/values.ts';

/** InlineCreateProps: the kind, the button's words and what to do with the created resource. */
export interface InlineCreateProps {
  readonly kind: ResourceKind;
  readonly label: string;
  readonly token: string;
  readonly idPrefix: string;
  readonly initial?: Body;
  readonly onUnauthenticated?: ((e: ApiError) => void) | undefined;
  readonly onCreated: (item: Item) => void;
}

/** InlineCreate opens a form of a kind in place and hands over what the API created. */
export function InlineCreate(props: InlineCreateProps) {
  const [open, setOpen] = useState(false);
  const panelId = `${props.idPrefix}-panel`;
  return (
    <div class="inline-create-wrap">
      <button type="button" class="secondary" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        {props.label}
      </button>
      {open && (
        <fieldset class="inline-create" id={panelId}>
          <legend>{props.label}</legend>
          <ResourceEditor
            kind={props.kind}
            token={props.token}
            idPrefix={props.idPrefix}
            initial={props.initial}
            inline
            onUnauthenticated={props.onUnauthenticated}
            submitLabel={props.label.replace(/^(Upload|Create) an? /, '$1 the ')}
            onSaved={(item) => {
              setOpen(false);
              props.onCreated(item);
            }}
          />
        </fieldset>
      )}
    </div>
  );
}
