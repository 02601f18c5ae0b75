/**
 * runDrift: the logic of `gatehouse drift --stack-export FILE` (SPEC §4). Reads the export,
 * fetches the live state of each Gatehouse resource in it, prints the comparison, and returns
 * the exit code: 0 no drift, 2 drift, 1 error (unreadable file, not a stack export, API
 * unreachable or refusing the token).
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_ENDPOINT, MAX_CONNECTIONS, ManagementClient, resourcePath } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { compareDrift, DriftInputError, formatDriftReport, stackResources } from './compare.ts';

/** DriftOutput is where the report goes (process.stdout, or a buffer in tests). */
export interface DriftOutput {
  write(chunk: string): unknown;
}

/** RunDriftOptions are the command's inputs, already resolved from flags and environment. */
export interface RunDriftOptions {
  stackExportPath: string;
  /** Management API base URL; default http://127.0.0.1:9080. */
  endpoint?: string | undefined;
  token: string | undefined;
  /** The report. */
  out: DriftOutput;
  /** Error messages; default `out`. */
  err?: DriftOutput | undefined;
}

/** DRIFT_EXIT is the exit code of each outcome. */
export const DRIFT_EXIT = Object.freeze({ inSync: 0, error: 1, drift: 2 });

/** CONCURRENCY is how many resources are read at once: one per connection of the client. */
const CONCURRENCY = MAX_CONNECTIONS;

/** runDrift compares a stack export with the live state and returns the exit code. */
export async function runDrift(opts: RunDriftOptions): Promise<number> {
  const err = opts.err ?? opts.out;
  const endpoint = (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  let exportJson: unknown;
  try {
    exportJson = JSON.parse(await readFile(opts.stackExportPath, 'utf8'));
  } catch (e) {
    err.write(`gatehouse drift: cannot read the stack export ${opts.stackExportPath}: ${(e as Error).message}\n`);
    return DRIFT_EXIT.error;
  }
  let resources;
  try {
    resources = stackResources(exportJson);
  } catch (e) {
    if (!(e instanceof DriftInputError)) throw e;
    err.write(`gatehouse drift: ${opts.stackExportPath}: ${e.message}\n`);
    return DRIFT_EXIT.error;
  }
  if (!opts.token) {
    err.write('gatehouse drift: no API token: pass --token or set GATEHOUSE_TOKEN\n');
    return DRIFT_EXIT.error;
  }
  const api = new ManagementClient({ endpoint, token: opts.token });
  const live = new Map<string, Record<string, unknown> | undefined>();
  const key = (kind: ResourceKind, id: string): string => `${kind.collection}/${id}`;
  try {
    const queue = [...resources];
    const worker = async (): Promise<void> => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        try {
          live.set(key(r.kind, r.id), (await api.get(resourcePath(r.kind.collection, r.id))).body);
        } catch (e) {
          if (e instanceof GatehouseError && e.code === 'NOT_FOUND') live.set(key(r.kind, r.id), undefined);
          else throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, resources.length) }, worker));
  } catch (e) {
    const why = e instanceof GatehouseError ? `${e.detail} [${e.code}]` : (e as Error).message;
    err.write(`gatehouse drift: cannot read the live state from ${endpoint}: ${why}\n`);
    return DRIFT_EXIT.error;
  } finally {
    await api.close();
  }
  const report = compareDrift(exportJson, (kind, id) => live.get(key(kind, id)));
  opts.out.write(formatDriftReport(report, endpoint));
  return report.drifted > 0 ? DRIFT_EXIT.drift : DRIFT_EXIT.inSync;
}
