/**
 * A resource form: the body being written, the problems the schema finds as the user types,
 * the API's dry run once the schema is satisfied, and the rendering of the kind's fields (the
 * presentation's "Advanced settings" folded behind a disclosure).
 */
import { useMemo, useState } from 'preact/hooks';
import type { ResourceKind } from '../../../schema/resource-kind.ts';
import type { ApiError } from '../api.ts';
import { FieldList, isShown, type FormContext } from './controls.tsx';
import { formFields, type FieldSpec } from './schema-fields.ts';
import { isPlaced, localProblems, useDryRun, type DryRunState, type Problem } from './validation.ts';
import { setAt, type Body } from './values.ts';
import './forms.css';

/** FormOptions say what is written and how it is checked. */
export interface FormOptions {
  readonly kind: ResourceKind;
  readonly op: 'create' | 'update';
  readonly initial: Body;
  /** The stored resource (update). */
  readonly previous?: Body | undefined;
  /** The resource's id (update: the dry run is a PUT). */
  readonly id?: string | undefined;
  readonly token: string;
  readonly onUnauthenticated?: ((e: ApiError) => void) | undefined;
  /**
   * What to dry-run for the current body and its local problems (undefined: no dry run).
   * By default the body itself, once the schema accepts it.
   */
  readonly probe?: ((body: Body, local: readonly Problem[]) => Body | undefined) | undefined;
  /** Which of the dry run's problems to show (default: all). */
  readonly showDryRun?: ((p: Problem) => boolean) | undefined;
  /** Applied to the body after every change (e.g. an HTTP listener drops the HTTPS-only fields). */
  readonly normalize?: ((body: Body) => Body) | undefined;
}

/** ResourceFormState is a form's state and what changes it. */
export interface ResourceFormState {
  readonly value: Body;
  readonly set: (path: string, value: unknown) => void;
  readonly replace: (body: Body) => void;
  /** Every problem the schema finds in the body. */
  readonly local: readonly Problem[];
  readonly dryRun: DryRunState;
  /** The problems to show: the schema's at fields the user changed (all after revealAll), and the dry run's. */
  readonly visible: readonly Problem[];
  readonly revealAll: () => void;
  readonly revealed: boolean;
  /** Problems of a refused write, shown until the next change. */
  readonly setRefusal: (problems: readonly Problem[]) => void;
}

function touches(touched: ReadonlySet<string>, path: string): boolean {
  for (const t of touched) if (path === t || path.startsWith(`${t}.`) || path.startsWith(`${t}[`) || t.startsWith(`${path}.`) || t.startsWith(`${path}[`)) return true;
  return false;
}

/** useResourceForm holds a form's body and its checks. */
export function useResourceForm(opts: FormOptions): ResourceFormState {
  const [value, setValue] = useState<Body>(opts.initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [revealed, setRevealed] = useState(false);
  const [refusal, setRefusal] = useState<readonly Problem[]>([]);
  const local = useMemo(() => localProblems(opts.kind, opts.op, value, opts.previous), [value, opts.kind, opts.op, opts.previous]);
  const probeBody = opts.probe ? opts.probe(value, local) : local.length === 0 ? value : undefined;
  const dryRun = useDryRun({
    token: opts.token,
    collection: opts.kind.collection,
    id: opts.id,
    body: probeBody ?? {},
    enabled: probeBody !== undefined,
    ...(opts.onUnauthenticated ? { onUnauthenticated: opts.onUnauthenticated } : {}),
  });
  const shownDry = opts.showDryRun ? dryRun.problems.filter(opts.showDryRun) : dryRun.problems;
  const visible = [...local.filter((p) => revealed || touches(touched, p.path)), ...shownDry, ...refusal];
  const set = (path: string, v: unknown) => {
    setValue((b) => (opts.normalize ? opts.normalize(setAt(b, path, v)) : setAt(b, path, v)));
    setTouched((t) => new Set(t).add(path));
    setRefusal([]);
  };
  return {
    value,
    set,
    replace: (body) => {
      setValue(body);
      setRefusal([]);
    },
    local,
    dryRun,
    visible,
    revealAll: () => setRevealed(true),
    revealed,
    setRefusal,
  };
}

/** shownPaths lists the schema paths a set of fields shows, and those edited as a whole. */
export function shownPaths(specs: readonly FieldSpec[], https: boolean): { shown: Set<string>; wholes: Set<string> } {
  const shown = new Set<string>();
  const wholes = new Set<string>();
  const walk = (list: readonly FieldSpec[]) => {
    for (const s of list) {
      if (!isShown({ https }, s)) continue;
      shown.add(s.schemaPath);
      if (['reference-list', 'string-list', 'enum-set', 'tags'].includes(s.control)) wholes.add(s.schemaPath);
      walk(s.children);
    }
  };
  walk(specs);
  return { shown, wholes };
}

/** OtherProblems lists the problems no shown field holds (a rule about the body as a whole). */
export function OtherProblems({ problems, specs, https }: { problems: readonly Problem[]; specs: readonly FieldSpec[]; https: boolean }) {
  const { shown, wholes } = shownPaths(specs, https);
  const rest = problems.filter((p) => !isPlaced(p, shown, wholes));
  if (rest.length === 0) return null;
  return (
    <div class="problem" role="alert">
      <ul class="field-problems">
        {rest.map((p, i) => (
          <li key={i}>
            <strong class="problem-code">{p.code}</strong> {p.path !== '' && <code>{p.path}</code>} {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** FormFields renders fields of a kind: the main ones, then the advanced ones folded under "Advanced settings". */
export function FormFields({ ctx, specs, advancedTitle = 'Advanced settings' }: { ctx: FormContext; specs: readonly FieldSpec[]; advancedTitle?: string }) {
  const main = specs.filter((s) => !s.presentation.advanced);
  const advanced = specs.filter((s) => s.presentation.advanced && isShown(ctx, s));
  const advancedHasProblems = ctx.problems.some((p) => advanced.some((s) => p.path === s.key || p.path.startsWith(`${s.key}.`) || p.path.startsWith(`${s.key}[`)));
  return (
    <>
      <FieldList ctx={ctx} specs={main} base="" />
      {advanced.length > 0 && (
        <details class="advanced" open={advancedHasProblems || undefined}>
          <summary>
            {advancedTitle} <span class="modify">Modify</span>
          </summary>
          <FieldList ctx={ctx} specs={advanced} base="" />
        </details>
      )}
    </>
  );
}

/** kindFields is formFields, re-exported for pages that pick some fields of a kind. */
export function kindFields(kind: ResourceKind, keys?: readonly string[]): readonly FieldSpec[] {
  const all = formFields(kind);
  return keys ? keys.map((k) => all.find((s) => s.key === k)).filter((s): s is FieldSpec => s !== undefined) : all;
}
