/**
 * `gatehouse status`: every listener and QUIC listener with its status, as a table.
 */
import { resolve } from 'node:path';
import { DEFAULT_ENDPOINT, ManagementClient } from '../client/management-client.ts';
import { describeApiFailure } from './api-failure.ts';
import { parseArgs, pick, UsageError } from './args.ts';
import { DEFAULT_DATA_DIR, resolveClientToken } from './cli-config.ts';
import type { CliIo } from './cli-io.ts';

/** STATUS_USAGE is the help text of `gatehouse status`. */
export const STATUS_USAGE = `Usage: gatehouse status [--endpoint URL] [--token TOKEN] [--data-dir DIR]

  --endpoint URL   management API (default ${DEFAULT_ENDPOINT}; GATEHOUSE_ENDPOINT)
  --token TOKEN    admin token (GATEHOUSE_TOKEN; default: DIR/admin-token)
  --data-dir DIR   where to find admin-token when no token is given (default ${DEFAULT_DATA_DIR}; GATEHOUSE_DATA_DIR)
`;

type Row = Record<string, unknown>;

/** formatTable renders rows under headers with columns padded to their widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** runStatus prints the listener table; exit 0, or 1 when the API cannot be read. */
export async function runStatus(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['endpoint', 'token', 'data-dir'], switches: ['help'] });
  if (args.flags.has('help')) {
    io.out(STATUS_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const endpoint = pick(args, 'endpoint', env, 'GATEHOUSE_ENDPOINT', DEFAULT_ENDPOINT)!;
  const dataDir = resolve(pick(args, 'data-dir', env, 'GATEHOUSE_DATA_DIR', DEFAULT_DATA_DIR)!);
  const api = new ManagementClient({ endpoint, token: resolveClientToken(pick(args, 'token', env, 'GATEHOUSE_TOKEN'), dataDir) });
  let listeners: Row[], quic: Row[], lbs: Row[];
  try {
    [listeners, quic, lbs] = await Promise.all([api.listAll<Row>('listeners'), api.listAll<Row>('quic-listeners'), api.listAll<Row>('load-balancers')]);
  } catch (err) {
    io.err(`gatehouse status: ${describeApiFailure(err)}\n`);
    return 1;
  } finally {
    await api.close();
  }
  const lbAddress = new Map(lbs.map((lb) => [String(lb.id), String(lb.address)]));
  const rows = [
    ...listeners.map((l) => [String(l.id), String(l.protocol), bind(lbAddress, l), String(l.status), String(l.loadBalancerId), textOf(l.statusReason)]),
    ...quic.map((q) => [String(q.id), 'QUIC', bind(lbAddress, q), String(q.status), String(q.loadBalancerId), textOf(q.statusReason)]),
  ];
  if (rows.length === 0) {
    io.out(`No listeners at ${api.endpoint}.\n`);
    return 0;
  }
  io.out(formatTable(['LISTENER', 'PROTOCOL', 'ADDRESS', 'STATUS', 'LOAD BALANCER', 'REASON'], rows));
  return 0;
}

function bind(lbAddress: Map<string, string>, l: Row): string {
  const address = lbAddress.get(String(l.loadBalancerId)) ?? '?';
  return `${address.includes(':') ? `[${address}]` : address}:${String(l.port)}`;
}

/** textOf shows an optional text field of an answer: the text, or nothing. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
