#!/usr/bin/env node
/**
 * The `gatehouse` command (SPEC §4): serve, status and drift. Runs on Node 24 directly from
 * TypeScript (`npx gatehouse …` in a checkout). Commands load lazily, so `gatehouse status`
 * does not pull in the server, SQLite or the engine. Started by a Node.js older than 24 (an
 * installed `gatehouse` runs on the first `node` on PATH), it says so in one line and exits 1.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GATEHOUSE_VERSION } from '../server/version.ts';
import { UsageError } from './args.ts';
import type { CliIo } from './cli-io.ts';

/** REQUIRED_NODE_MAJOR is the oldest Node.js major version the command runs on (`engines` in package.json). */
export const REQUIRED_NODE_MAJOR = 24;

/**
 * nodeVersionProblem is the one-line refusal to run on a Node.js older than REQUIRED_NODE_MAJOR,
 * or undefined when this one will do. An installed `gatehouse` starts on whichever `node` comes
 * first on PATH (`#!/usr/bin/env node`), which may be older than the code needs.
 */
export function nodeVersionProblem(version: string = process.versions.node, execPath: string = process.execPath): string | undefined {
  const major = Number.parseInt(version.replace(/^v/, ''), 10);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return `gatehouse: requires Node.js ${REQUIRED_NODE_MAJOR} or later, but was started by Node.js ${version.replace(/^v/, '')} (${execPath}); put Node.js ${REQUIRED_NODE_MAJOR} first on PATH\n`;
}

/** CommandModule is what a command's module provides. */
export interface CommandModule {
  readonly run: (argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo) => Promise<number>;
  readonly usage: string;
}

/** Command is one subcommand: a one-line summary and how to load it. */
export interface Command {
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

/** COMMANDS maps each subcommand name to its implementation. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  serve: {
    summary: 'run the management API, the store and the engine',
    load: async () => {
      const m = await import('./serve.ts');
      return { run: m.runServe, usage: m.SERVE_USAGE };
    },
  },
  status: {
    summary: 'listeners and their status as a table',
    load: async () => {
      const m = await import('./status.ts');
      return { run: m.runStatus, usage: m.STATUS_USAGE };
    },
  },
  drift: {
    summary: 'compare a `pulumi stack export` file with the live state',
    load: async () => {
      const m = await import('./drift.ts');
      return { run: m.runDriftCommand, usage: m.DRIFT_USAGE };
    },
  },
};

function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `Usage: gatehouse <command> [flags]\n\nCommands:\n${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}\n\nRun \`gatehouse <command> --help\` for its flags, \`gatehouse --version\` for the version.\n`;
}

/** main runs one command line and returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.out(`gatehouse ${GATEHOUSE_VERSION} (node ${process.version})\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`gatehouse: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  const module = await command.load();
  try {
    return await module.run(rest, env, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`gatehouse ${name}: ${err.message}\n\n${module.usage}`);
      return 1;
    }
    io.err(`gatehouse ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

/** isEntry says whether this module is the program Node runs; Node.js before 22.18 has no import.meta.main. */
function isEntry(): boolean {
  const meta = import.meta as { main?: boolean };
  if (typeof meta.main === 'boolean') return meta.main;
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const tooOld = nodeVersionProblem();
  if (tooOld !== undefined) {
    process.stderr.write(tooOld);
    process.exitCode = 1;
  } else {
    const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
    process.exitCode = await main(process.argv.slice(2), process.env, io);
  }
}
