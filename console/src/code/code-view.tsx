/**
 * CodeView: "show as code" for one resource or a whole load balancer — the Pulumi program that
 * declares it (schema/emit/pulumi-program.ts), with or without the `import` resource options,
 * and the `pulumi import` commands that adopt the live objects. Everything is shown as text.
 */
import { useEffect, useState } from 'preact/hooks';
import { pulumiProgram, type PulumiProgram } from '../../../schema/emit/pulumi-program.ts';
import { ApiError, asApiError } from '../api.ts';
import { ProblemMessage } from '../problem-message.tsx';
import { href, type Collection } from '../router.ts';
import { CopyButton } from './copy-button.tsx';
import { readLive } from './read-live.ts';
import './code.css';

/** CodeViewProps name the resource and carry the session. */
export interface CodeViewProps {
  collection: Collection;
  id: string;
  token: string;
  onUnauthenticated: (error: ApiError) => void;
}

type Variant = 'program' | 'imports';

/** CodeView reads the live resources and shows their program. */
export function CodeView({ collection, id, token, onUnauthenticated }: CodeViewProps) {
  const [program, setProgram] = useState<PulumiProgram | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [variant, setVariant] = useState<Variant>('program');

  useEffect(() => {
    const abort = new AbortController();
    setProgram(undefined);
    setError(undefined);
    readLive(collection, id, token, abort.signal)
      .then((live) => setProgram(pulumiProgram(live)))
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        const problem = asApiError(err);
        if (problem.status === 401) onUnauthenticated(problem);
        else setError(problem);
      });
    return () => abort.abort();
  }, [collection, id, token]);

  const whole = collection === 'load-balancers';
  const text = program && (variant === 'program' ? program.program : program.programWithImports);
  return (
    <>
      <div class="page-head">
        <h1>{whole ? 'Load balancer as code' : 'Resource as code'}</h1>
        <p class="hint">
          <a href={href({ page: 'resource', collection, id })}>
            <code>{id}</code>
          </a>
        </p>
      </div>
      {error && <ProblemMessage error={error} />}
      {!error && !program && <p class="hint">Reading the live configuration…</p>}
      {program && text !== undefined && (
        <>
          <section class="card" aria-labelledby="program-title">
            <div class="code-head">
              <h2 id="program-title">Pulumi program (TypeScript)</h2>
              <div class="code-variant" role="group" aria-label="Program variant">
                <button type="button" class="secondary" aria-pressed={variant === 'program'} onClick={() => setVariant('program')}>
                  Program
                </button>
                <button type="button" class="secondary" aria-pressed={variant === 'imports'} onClick={() => setVariant('imports')}>
                  Program with import options
                </button>
              </div>
              <CopyButton text={text} label="Copy program" />
            </div>
            <p class="hint">
              {whole
                ? 'The load balancer, its listeners and QUIC listeners, and the certificates, TLS policies and server groups they use, in dependency order. '
                : 'This resource alone: what it refers to stays a literal id. '}
              Private keys are never returned by the API: the program reads them from Pulumi config as secrets.
              {program.systemIds.length > 0 && ' System TLS policies are referred to by id.'}
            </p>
            <pre class="code-block" tabIndex={0} aria-label={variant === 'program' ? 'Program' : 'Program with import options'}>
              <code data-testid="program-text">{text}</code>
            </pre>
          </section>
          <section class="card" aria-labelledby="import-title">
            <div class="code-head">
              <h2 id="import-title">Adopt the live objects</h2>
              {program.importCommands !== '' && <CopyButton text={program.importCommands} label="Copy import commands" />}
            </div>
            {program.importCommands === '' ? (
              <p class="empty">Nothing to import: system resources are not managed by Pulumi.</p>
            ) : (
              <>
                <p class="hint">
                  Run these in the Pulumi project, or use the program with import options and <code>pulumi up</code>.
                </p>
                <pre class="code-block" tabIndex={0} aria-label="Import commands">
                  <code data-testid="import-commands">{program.importCommands}</code>
                </pre>
              </>
            )}
          </section>
        </>
      )}
    </>
  );
}
