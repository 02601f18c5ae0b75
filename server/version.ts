/**
 * GATEHOUSE_VERSION is the release, read from package.json, in a module light enough for the
 * CLI to load without the server.
 */
import { readFileSync } from 'node:fs';

/** GATEHOUSE_VERSION is the `version` of package.json. */
export const GATEHOUSE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
