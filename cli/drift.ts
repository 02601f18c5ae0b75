/**
 * `gatehouse drift --stack-export FILE`: the command-line face of the provider's drift
 * comparison (provider/drift): exit 0 = no drift, 2 = drift, 1 = error.
 */
import { resolve } from 'node:path';
import { runDrift } from '../provider/drift/index.ts';
import { DEFAULT_ENDPOINT } from '../client/management-client.ts';
import { parseArgs, pick, UsageError } from './args.ts';
import { DEFAULT_DATA_DIR, resolveClientToken } from './cli-config.ts';
import type { CliIo } from './cli-io.ts';

/** DRIFT_USAGE is the help text of `gatehouse drift`. */
export const DRIFT_USAGE = `Usage: gatehouse drift --stack-export FILE [--endpoint URL] [--token TOKEN] [--data-dir DIR]

  --stack-export FILE  the output of \`pulumi stack export\`
  --endpoint URL       management API (default ${DEFAULT_ENDPOINT}; GATEHOUSE_ENDPOINT)
  --token TOKEN        admin token (GATEHOUSE_TOKEN; default: DIR/admin-token)
  --data-dir DIR       where to find admin-token when no token is given (default ${DEFAULT_DATA_DIR})
Exit status: 0 no drift, 2 drift, 1 error.
`;

/** runDriftCommand parses the flags and runs the comparison. */
export async function runDriftCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['stack-export', 'endpoint', 'token', 'data-dir'], switches: ['help'] });
  if (args.flags.has('help')) {
    io.out(DRIFT_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const file = args.flags.get('stack-export');
  if (file === undefined) throw new UsageError('--stack-export FILE is required');
  const dataDir = resolve(pick(args, 'data-dir', env, 'GATEHOUSE_DATA_DIR', DEFAULT_DATA_DIR)!);
  let token: string | undefined;
  try {
    token = resolveClientToken(pick(args, 'token', env, 'GATEHOUSE_TOKEN'), dataDir);
  } catch {
    token = undefined; // runDrift reports the missing token with exit 1
  }
  return runDrift({
    stackExportPath: file,
    endpoint: pick(args, 'endpoint', env, 'GATEHOUSE_ENDPOINT', DEFAULT_ENDPOINT),
    token,
    out: { write: (t: string) => io.out(t) },
    err: { write: (t: string) => io.err(t) },
  });
}
