/**
 * The controls of a form, one per kind of field (schema-fields.ts): every control has a label,
 * its help text linked by aria-describedby, aria-invalid and its problems (code and message)
 * beside it when a check fails. Everything the user or the API wrote is rendered as text.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { defaultFor, type FieldSpec } from './schema-fields.ts';
import { itemLabel, offered, type ReferenceLists } from './references.ts';
import { problemsAt, type Problem } from './validation.ts';
import { getAt, joinKey, type Body } from './values.ts';
import { DocText } from '../views/doc-text.tsx';

/** FormContext is what every control of one form shares. */
export interface FormContext {
  /** A prefix making the form's element ids unique on the page. */
  readonly idPrefix: string;
  readonly value: Body;
  readonly set: (path: string, value: unknown) => void;
  readonly problems: readonly Problem[];
  readonly lists: ReferenceLists;
  /** Whether the HTTPS-only fields apply (a listener whose protocol is HTTPS). */
  readonly https: boolean;
  /** Fields shown but not editable (a resource's replace fields on edit). */
  readonly disabled?: (spec: FieldSpec) => boolean;
  /** Notes shown under a field, by schema path (e.g. a secret kept when left empty). */
  readonly notes?: Readonly<Record<string, string>>;
  /** Controls added after a field, by schema path (e.g. "Upload a certificate"). */
  readonly extras?: Readonly<Record<string, ComponentChildren>>;
}

/** domId turns a field path into an element id. */
export function domId(ctx: FormContext, path: string): string {
  return `${ctx.idPrefix}-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/** isShown tells whether a field applies to the form (an HTTPS-only field on an HTTP listener does not). */
export function isShown(ctx: Pick<FormContext, 'https'>, spec: FieldSpec): boolean {
  return ctx.https || spec.facts.httpsOnly !== true;
}

/** FieldList renders fields at a base path (a group's, or a list item's). */
export function FieldList({ ctx, specs, base }: { ctx: FormContext; specs: readonly FieldSpec[]; base: string }) {
  return (
    <>
      {specs
        .filter((s) => isShown(ctx, s))
        .map((s) => (
          <Field key={s.schemaPath} ctx={ctx} spec={s} path={joinKey(base, s.key)} />
        ))}
    </>
  );
}

function ProblemList({ id, problems }: { id: string; problems: readonly Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul class="field-problems" id={id}>
      {problems.map((p, i) => (
        <li key={i}>
          <strong class="problem-code">{p.code}</strong> {p.path !== '' && <code>{p.path}</code>} {p.message}
        </li>
      ))}
    </ul>
  );
}

function Help({ ctx, spec, id }: { ctx: FormContext; spec: FieldSpec; id: string }) {
  const note = ctx.notes?.[spec.schemaPath];
  if (spec.help === undefined && spec.presentation.explain === undefined && note === undefined) return null;
  return (
    <div class="field-help" id={id}>
      {spec.help !== undefined && (
        <p>
          <DocText text={spec.help} />
        </p>
      )}
      {spec.presentation.explain !== undefined && <p>{spec.presentation.explain}</p>}
      {note !== undefined && <p class="field-note">{note}</p>}
    </div>
  );
}

/** Field renders one field with its label, help and problems. */
export function Field({ ctx, spec, path }: { ctx: FormContext; spec: FieldSpec; path: string }) {
  const id = domId(ctx, path);
  const whole = ['reference-list', 'string-list', 'enum-set', 'tags'].includes(spec.control);
  const problems = problemsAt(ctx.problems, path, whole);
  const helpId = `${id}-help`;
  const errId = `${id}-problems`;
  const hasHelp = spec.help !== undefined || spec.presentation.explain !== undefined || ctx.notes?.[spec.schemaPath] !== undefined;
  const describedBy = [hasHelp ? helpId : '', problems.length > 0 ? errId : ''].filter((s) => s !== '').join(' ') || undefined;
  const a11y = { id, 'aria-describedby': describedBy, 'aria-invalid': problems.length > 0 ? ('true' as const) : undefined };
  const disabled = ctx.disabled?.(spec) ?? false;
  const current = getAt(ctx.value, path);
  const shownValue = current === undefined ? defaultFor(spec, ctx.https) : current;
  const extra = ctx.extras?.[spec.schemaPath];

  if (spec.control === 'group') {
    return (
      <fieldset class="field-group" aria-describedby={describedBy} data-path={path}>
        <legend>{spec.label}</legend>
        <Help ctx={ctx} spec={spec} id={helpId} />
        <ProblemList id={errId} problems={problems} />
        <FieldList ctx={ctx} specs={spec.children} base={path} />
        {extra}
      </fieldset>
    );
  }

  let control: ComponentChildren;
  switch (spec.control) {
    case 'switch':
      return (
        <div class="field field-switch" data-path={path}>
          <div class="switch-row">
            <input
              type="checkbox"
              role="switch"
              {...a11y}
              checked={shownValue === true}
              disabled={disabled}
              onChange={(e) => ctx.set(path, e.currentTarget.checked)}
            />
            <label for={id}>{spec.label}</label>
          </div>
          <Help ctx={ctx} spec={spec} id={helpId} />
          <ProblemList id={errId} problems={problems} />
          {extra}
        </div>
      );
    case 'number':
      control = (
        <input
          type="number"
          inputMode="numeric"
          {...a11y}
          min={spec.minimum}
          max={spec.maximum}
          step={spec.integer ? 1 : 'any'}
          required={spec.required}
          disabled={disabled}
          placeholder={typeof spec.default === 'number' ? String(spec.default) : undefined}
          value={typeof current === 'number' || typeof current === 'string' ? String(current) : ''}
          onInput={(e) => {
            const text = e.currentTarget.value.trim();
            const n = Number(text);
            ctx.set(path, text === '' ? undefined : Number.isFinite(n) ? n : text);
          }}
        />
      );
      break;
    case 'select':
      control = (
        <select
          {...a11y}
          required={spec.required}
          disabled={disabled}
          value={typeof shownValue === 'string' ? shownValue : ''}
          onChange={(e) => ctx.set(path, e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
        >
          {shownValue === undefined && <option value="">Select…</option>}
          {spec.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'reference': {
      const items = spec.presentation.reference ? offered(ctx.lists, spec.presentation.reference) : [];
      const chosen = typeof shownValue === 'string' ? shownValue : '';
      control = (
        <select
          {...a11y}
          required={spec.required}
          disabled={disabled}
          value={chosen}
          onChange={(e) => ctx.set(path, e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
        >
          <option value="">{spec.required ? 'Select…' : '(none)'}</option>
          {chosen !== '' && !items.some((i) => i.id === chosen) && <option value={chosen}>{chosen}</option>}
          {items.map((item) => (
            <option key={item.id} value={item.id}>
              {itemLabel(item)}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'reference-list':
    case 'enum-set': {
      const choices =
        spec.control === 'enum-set'
          ? spec.options.map((o) => ({ value: o, label: o }))
          : (spec.presentation.reference ? offered(ctx.lists, spec.presentation.reference) : []).map((i) => ({ value: i.id, label: itemLabel(i) }));
      const list = Array.isArray(shownValue) ? (shownValue as string[]) : [];
      return (
        <fieldset class="field field-set" aria-describedby={describedBy} aria-invalid={problems.length > 0 ? 'true' : undefined} data-path={path}>
          <legend>{spec.label}</legend>
          <Help ctx={ctx} spec={spec} id={helpId} />
          <div class={choices.length > 6 ? 'choices choices-wide' : 'choices'}>
            {choices.length === 0 && <p class="hint">None to choose from.</p>}
            {choices.map((c, i) => (
              <div class="choice" key={c.value}>
                <input
                  type="checkbox"
                  id={`${id}-${i}`}
                  checked={list.includes(c.value)}
                  disabled={disabled}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    const next = on ? [...list.filter((v) => v !== c.value), c.value] : list.filter((v) => v !== c.value);
                    ctx.set(path, next);
                  }}
                />
                <label for={`${id}-${i}`}>{c.label}</label>
              </div>
            ))}
          </div>
          <ProblemList id={errId} problems={problems} />
          {extra}
        </fieldset>
      );
    }
    case 'string-list':
      control = <LinesInput a11y={a11y} disabled={disabled} value={Array.isArray(shownValue) ? (shownValue as string[]) : []} onChange={(v) => ctx.set(path, v)} />;
      break;
    case 'object-list':
      return <ObjectList ctx={ctx} spec={spec} path={path} helpId={helpId} errId={errId} problems={problems} describedBy={describedBy} disabled={disabled} />;
    case 'tags':
      return <TagsInput ctx={ctx} spec={spec} path={path} helpId={helpId} errId={errId} problems={problems} describedBy={describedBy} />;
    case 'textarea':
      control = (
        <>
          <textarea
            {...a11y}
            rows={6}
            spellcheck={false}
            required={spec.required}
            disabled={disabled}
            maxLength={spec.maxLength}
            value={typeof current === 'string' ? current : ''}
            onInput={(e) => ctx.set(path, e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
          />
          {!disabled && (
            <div class="file-row">
              <label for={`${id}-file`}>Read {spec.label} from a file</label>
              <input
                type="file"
                id={`${id}-file`}
                accept=".pem,.crt,.cer,.key,text/plain"
                onChange={(e) => {
                  const file = e.currentTarget.files?.[0];
                  if (file) void file.text().then((text) => ctx.set(path, text === '' ? undefined : text));
                }}
              />
            </div>
          )}
        </>
      );
      break;
    default:
      control = (
        <input
          type="text"
          {...a11y}
          required={spec.required}
          disabled={disabled}
          minLength={spec.minLength}
          maxLength={spec.maxLength}
          placeholder={typeof spec.default === 'string' ? spec.default : undefined}
          value={typeof current === 'string' ? current : current === undefined ? '' : typeof current === 'number' ? String(current) : ''}
          onInput={(e) => ctx.set(path, e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
        />
      );
  }
  return (
    <div class="field" data-path={path}>
      <label for={id}>
        {spec.label}
        {spec.required && <span class="required"> (required)</span>}
      </label>
      {control}
      <Help ctx={ctx} spec={spec} id={helpId} />
      <ProblemList id={errId} problems={problems} />
      {extra}
    </div>
  );
}

type A11y = { id: string; 'aria-describedby': string | undefined; 'aria-invalid': 'true' | undefined };

/** LinesInput edits a list of strings as lines of text (the text is kept as typed; the list drops empty lines). */
function LinesInput({ a11y, value, disabled, onChange }: { a11y: A11y; value: readonly string[]; disabled: boolean; onChange: (v: string[]) => void }) {
  const [text, setText] = useState(value.join('\n'));
  return (
    <textarea
      {...a11y}
      rows={3}
      disabled={disabled}
      value={text}
      placeholder="One per line"
      onInput={(e) => {
        const t = e.currentTarget.value;
        setText(t);
        onChange(
          t
            .split('\n')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        );
      }}
    />
  );
}

interface ListProps {
  ctx: FormContext;
  spec: FieldSpec;
  path: string;
  helpId: string;
  errId: string;
  problems: readonly Problem[];
  describedBy: string | undefined;
}

/** ObjectList edits a list of objects (a server group's servers): one row of fields per item. */
function ObjectList({ ctx, spec, path, helpId, errId, problems, describedBy, disabled }: ListProps & { disabled: boolean }) {
  const items = Array.isArray(getAt(ctx.value, path)) ? (getAt(ctx.value, path) as unknown[]) : [];
  const noun = spec.label.replace(/s$/, '').toLowerCase();
  return (
    <fieldset class="field-group object-list" aria-describedby={describedBy} data-path={path}>
      <legend>{spec.label}</legend>
      <Help ctx={ctx} spec={spec} id={helpId} />
      <ProblemList id={errId} problems={problems} />
      {items.map((_, i) => (
        <fieldset class="list-item" key={i}>
          <legend>
            {spec.label.replace(/s$/, '')} {i + 1}
          </legend>
          <FieldList ctx={ctx} specs={spec.children} base={`${path}[${i}]`} />
          <button
            type="button"
            class="secondary"
            disabled={disabled}
            onClick={() =>
              ctx.set(
                path,
                items.filter((__, j) => j !== i),
              )
            }
          >
            Remove {noun} {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" class="secondary" disabled={disabled} onClick={() => ctx.set(path, [...items, {}])}>
        Add {noun}
      </button>
    </fieldset>
  );
}

/** TagsInput edits a tags map as key and value rows. */
function TagsInput({ ctx, spec, path, helpId, errId, problems, describedBy }: ListProps) {
  const current = getAt(ctx.value, path);
  const initial = current !== null && typeof current === 'object' ? Object.entries(current as Record<string, string>) : [];
  const [rows, setRows] = useState<[string, string][]>(initial);
  const id = domId(ctx, path);
  const update = (next: [string, string][]) => {
    setRows(next);
    const map: Record<string, string> = {};
    for (const [k, v] of next) if (k !== '' || v !== '') map[k] = v;
    ctx.set(path, map);
  };
  return (
    <fieldset class="field-group tags" aria-describedby={describedBy} aria-invalid={problems.length > 0 ? 'true' : undefined} data-path={path}>
      <legend>{spec.label}</legend>
      <Help ctx={ctx} spec={spec} id={helpId} />
      {rows.map(([k, v], i) => (
        <div class="tag-row" key={i}>
          <div class="field">
            <label for={`${id}-key-${i}`}>Tag key {i + 1}</label>
            <input type="text" id={`${id}-key-${i}`} value={k} onInput={(e) => update(rows.map((r, j) => (j === i ? [e.currentTarget.value, r[1]] : r)))} />
          </div>
          <div class="field">
            <label for={`${id}-value-${i}`}>Tag value {i + 1}</label>
            <input type="text" id={`${id}-value-${i}`} value={v} onInput={(e) => update(rows.map((r, j) => (j === i ? [r[0], e.currentTarget.value] : r)))} />
          </div>
          <button type="button" class="secondary" onClick={() => update(rows.filter((__, j) => j !== i))}>
            Remove tag {i + 1}
          </button>
        </div>
      ))}
      <ProblemList id={errId} problems={problems} />
      <button type="button" class="secondary" onClick={() => update([...rows, ['', '']])}>
        Add tag
      </button>
    </fieldset>
  );
}
