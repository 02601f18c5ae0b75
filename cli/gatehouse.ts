#!/usr/bin/env node
/**
 * The `gatehouse` command (SPEC §4): serve, status and drift. Runs on Node 24 directly from
 * TypeScript (`npx gatehouse …` in a checkout).
 */
import { UsageError } from './args.ts';
import { DRIFT_USAGE, runDriftCommand } from './drift.ts';
import { runServe, SERVE_USAGE, type CliIo } from './serve.ts';
import { runStatus, STATUS_USAGE } from './status.ts';

/** Command is one subcommand: how to run it and its help text. */
export interface Command {
  readonly run: (argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo) => Promise<number>;
  readonly usage: string;
  readonly summary: string;
}

/** COMMANDS maps each subcommand name to its implementation. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  serve: { run: runServe, usage: SERVE_USAGE, summary: 'run the management API, the store and the engine' },
  status: { run: runStatus, usage: STATUS_USAGE, summary: 'listeners and their status as a table' },
  drift: { run: runDriftCommand, usage: DRIFT_USAGE, summary: 'compare a `pulumi stack export` file with the live state' },
};

function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `Usage: gatehouse <command> [flags]\n\nCommands:\n${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}\n\nRun \`gatehouse <command> --help\` for its flags.\n`;
}

/** main runs one command line and returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 1 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`gatehouse: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    return await command.run(rest, env, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`gatehouse ${name}: ${err.message}\n\n${command.usage}`);
      return 1;
    }
    io.err(`gatehouse ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) {
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  process.exitCode = await main(process.argv.slice(2), process.env, io);
}
