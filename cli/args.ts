/**
 * A small, strict command-line parser: `--name value`, `--name=value` and boolean switches.
 * An unknown flag is an error (a typo must not silently fall back to a default data dir).
 */

/** FlagSpec declares the flags of one command: value flags and boolean switches. */
export interface FlagSpec {
  readonly values: readonly string[];
  readonly switches: readonly string[];
}

/** ParsedArgs are the flags given (switches as 'true') and the positional arguments. */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string>;
  readonly positionals: readonly string[];
}

/** UsageError is a mistake on the command line: the CLI prints it with the usage, exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** parseArgs reads argv (after the command name) against a spec. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.switches.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  return { flags, positionals };
}

/** HostPort is a parsed `HOST:PORT`. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** parseHostPort reads `127.0.0.1:9080`, `[::1]:9080` or `localhost:9080` (port 0 = any free port). */
export function parseHostPort(text: string, what: string): HostPort {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new UsageError(`${what} must be HOST:PORT (e.g. 127.0.0.1:9080 or [::1]:9080), got "${text}"`);
  return { host: (m[1] ?? m[2])!, port };
}

/** pick returns a flag, else an environment variable, else a default: a flag wins over its variable. */
export function pick(args: ParsedArgs, flag: string, env: NodeJS.ProcessEnv, variable: string | undefined, fallback?: string): string | undefined {
  const fromFlag = args.flags.get(flag);
  if (fromFlag !== undefined) return fromFlag;
  const fromEnv = variable === undefined ? undefined : env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fallback;
}
