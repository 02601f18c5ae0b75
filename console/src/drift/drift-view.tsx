/**
 * DriftView: a `pulumi stack export` (a file read in the browser, or pasted text) compared with
 * the live state by the API (`POST /v1/drift`, the comparison `gatehouse drift` makes): per
 * resource in sync, missing or changed, each changed field with its stack and live values, and
 * the paths not compared with the reason. All of it rendered as text.
 */
import { useState } from 'preact/hooks';
import type { DriftReport, FieldDrift, ResourceDrift } from '../../../schema/pulumi-state/drift.ts';
import { ApiError, apiCall, asApiError } from '../api.ts';
import { ProblemMessage } from '../problem-message.tsx';
import './drift.css';

/** MAX_EXPORT_BYTES is the API's body limit: a larger export is refused before it is sent. */
export const MAX_EXPORT_BYTES = 1024 * 1024;

/** DriftViewProps carry the session. */
export interface DriftViewProps {
  token: string;
  onUnauthenticated: (error: ApiError) => void;
}

/** parseExport reads export text as JSON, or says why it cannot be sent. */
function parseExport(text: string): { json: unknown } | { problem: ApiError } {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_EXPORT_BYTES) {
    return { problem: new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The stack export is larger than the API accepts', `${bytes} bytes; the limit is 1 MiB. Compare it with gatehouse drift --stack-export FILE.`) };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (err) {
    return { problem: new ApiError(400, 'VALIDATION_FAILED', 'The stack export is not JSON', err instanceof Error ? err.message : String(err)) };
  }
}

/** DriftView is the drift page's content. */
export function DriftView({ token, onUnauthenticated }: DriftViewProps) {
  const [pasted, setPasted] = useState('');
  const [source, setSource] = useState('');
  const [report, setReport] = useState<DriftReport | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const compare = async (text: string, from: string) => {
    setReport(undefined);
    setError(undefined);
    const parsed = parseExport(text);
    if ('problem' in parsed) return setError(parsed.problem);
    setBusy(true);
    try {
      const answer = await apiCall<DriftReport>({ method: 'POST', path: '/v1/drift', token, body: parsed.json });
      setSource(from);
      setReport(answer.body);
    } catch (err) {
      const problem = asApiError(err);
      if (problem.status === 401) onUnauthenticated(problem);
      else setError(problem);
    } finally {
      setBusy(false);
    }
  };

  const onFile = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    await compare(await file.text(), file.name);
  };

  return (
    <>
      <div class="page-head">
        <h1>Drift</h1>
        <p class="hint">Compare a Pulumi stack with the live configuration, as <code>gatehouse drift</code> does.</p>
      </div>
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">Stack export</h2>
        <p class="hint">
          The output of <code>pulumi stack export</code> (up to 1 MiB). It is read in this browser and sent to this server only; secrets in it stay encrypted.
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void compare(pasted, 'pasted text');
          }}
        >
          <label for="drift-file">Stack export file</label>
          <input id="drift-file" type="file" accept="application/json,.json" disabled={busy} onChange={(e) => void onFile(e)} />
          <label for="drift-text">Or paste the stack export</label>
          <textarea id="drift-text" class="drift-text" rows={8} spellcheck={false} value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} />
          <div>
            <button type="submit" disabled={busy || pasted.trim() === ''}>
              {busy ? 'Comparing…' : 'Compare'}
            </button>
          </div>
        </form>
        {error && <ProblemMessage error={error} />}
        {error && error.errors.length > 0 && (
          <ul class="drift-errors">
            {error.errors.map((e) => (
              <li key={e.path}>
                <code>{e.path === '' ? '(the export)' : e.path}</code>: {e.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      {report && <DriftResult report={report} source={source} />}
    </>
  );
}

const STATE_TEXT: Record<ResourceDrift['state'], string> = { 'in-sync': 'In sync', missing: 'Missing', changed: 'Changed' };
const KIND_TEXT: Record<FieldDrift['kind'], string> = { add: 'set outside Pulumi', update: 'changed outside Pulumi', delete: 'removed outside Pulumi' };

function shown(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');
}

function DriftResult({ report, source }: { report: DriftReport; source: string }) {
  const n = report.resources.length;
  const summary =
    report.drifted > 0
      ? `Drift: ${report.drifted} of ${n} resource${n === 1 ? '' : 's'} differ from the live configuration.`
      : `No drift: ${n} resource${n === 1 ? '' : 's'} match the live configuration.`;
  return (
    <section class="card" aria-labelledby="drift-result-title">
      <h2 id="drift-result-title">Result</h2>
      <p class={report.drifted > 0 ? 'drift-summary drifted' : 'drift-summary'} role="status">
        {summary} <span class="sub">({source})</span>
      </p>
      {n === 0 && <p class="empty">The export holds no Gatehouse resources.</p>}
      <ul class="drift-list">
        {report.resources.map((r) => (
          <li key={r.urn} class={`drift-resource drift-${r.state}`}>
            <h3>
              <span class={`drift-state drift-state-${r.state}`}>{STATE_TEXT[r.state]}</span> {r.type.replace('gatehouse:index:', '')} <strong>{r.name}</strong>{' '}
              <code class="id">{r.id}</code>
            </h3>
            {r.state === 'missing' && <p>It no longer exists in Gatehouse.</p>}
            {r.fields.length > 0 && (
              <div class="table-scroll">
                <table>
                  <caption class="sub">Fields that differ</caption>
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Change</th>
                      <th scope="col">Stack</th>
                      <th scope="col">Live</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.fields.map((f) => (
                      <tr key={f.path}>
                        <td>
                          <code>{f.path}</code>
                        </td>
                        <td>{KIND_TEXT[f.kind]}</td>
                        <td>
                          <code>{shown(f.stack)}</code>
                        </td>
                        <td>
                          <code>{shown(f.live)}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {r.notCompared.length > 0 && (
              <ul class="drift-skipped">
                {r.notCompared.map((s) => (
                  <li key={s.path}>
                    Not compared: <code>{s.path}</code> — {s.reason}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
