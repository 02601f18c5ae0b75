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
  const all = [...listeners.map((l) => ({ row: l, protocol: String(l.protocol) })), ...quic.map((q) => ({ row: q, protocol: 'QUIC' }))];
  if (all.length === 0) {
    io.out(`No listeners at ${api.endpoint}.\n`);
    return 0;
  }
  // On a node of a cluster every listener carries each node's status: show them in a column.
  const cluster = all.some(({ row }) => Array.isArray(row.nodes));
  const rows = all.map(({ row, protocol }) => [
    String(row.id),
    protocol,
    bind(lbAddress, row),
    String(row.status),
    String(row.loadBalancerId),
    ...(cluster ? [nodesOf(row.nodes)] : []),
    textOf(row.statusReason),
  ]);
  io.out(formatTable(['LISTENER', 'PROTOCOL', 'ADDRESS', 'STATUS', 'LOAD BALANCER', ...(cluster ? ['NODES'] : []), 'REASON'], rows));
  return 0;
}

/** nodesOf shows each node's status of a listener: `lb-a=Running lb-b=Failed`. */
function nodesOf(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value
    .map((n: unknown) => (n !== null && typeof n === 'object' ? `${textOf((n as Row).node)}=${textOf((n as Row).status)}` : ''))
    .filter((t) => t !== '')
    .join(' ');
}

function bind(lbAddress: Map<string, string>, l: Row): string {
  const address = lbAddress.get(String(l.loadBalancerId)) ?? '?';
  return `${address.includes(':') ? `[${address}]` : address}:${String(l.port)}`;
}

/** textOf shows an optional text field of an answer: the text, or nothing. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
