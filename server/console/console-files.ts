/**
 * The web console's built files (`npm run build:console` writes them to `console/dist/`), read
 * once into memory. Only the files found in that folder's listing are ever answered, by their
 * exact relative path: a request names an entry of the listing or gets 404, so no spelling of a
 * path can reach another file on the disk.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** DEFAULT_CONSOLE_DIR is where `npm run build:console` writes the console in a checkout. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** CONSOLE_MAX_BYTES bounds what is read into memory: the built console is tens of KiB. */
const CONSOLE_MAX_BYTES = 16 * 1024 * 1024;

/** CONTENT_TYPES maps the extensions a Vite build emits to their media types. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** ConsoleFile is one built file, ready to send. */
export interface ConsoleFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** A strong validator of the content, quoted, for If-None-Match. */
  readonly etag: string;
  /** Content-hashed assets (under `assets/`) never change under their name. */
  readonly immutable: boolean;
}

/**
 * ConsoleFiles holds the listing of one built console folder. A folder without `index.html` is
 * not built; it is looked at again on the next request, so a console built while the server
 * runs is served without a restart. Once found, the files are kept as read.
 */
export class ConsoleFiles {
  readonly dir: string;
  #files: ReadonlyMap<string, ConsoleFile> | undefined;

  constructor(dir: string = DEFAULT_CONSOLE_DIR) {
    this.dir = dir;
  }

  /** files returns the listing by relative path (`index.html`, `assets/index-3f2a.js`), or undefined when not built. */
  files(): ReadonlyMap<string, ConsoleFile> | undefined {
    if (this.#files === undefined && existsSync(join(this.dir, 'index.html'))) this.#files = readListing(this.dir);
    return this.#files;
  }
}

function readListing(root: string): ReadonlyMap<string, ConsoleFile> {
  const out = new Map<string, ConsoleFile>();
  let total = 0;
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix + entry.name;
      // Only plain files and folders: a symbolic link could point outside the built folder.
      if (entry.isDirectory()) walk(join(dir, entry.name), `${relative}/`);
      else if (entry.isFile()) {
        const body = readFileSync(join(dir, entry.name));
        total += body.length;
        if (total > CONSOLE_MAX_BYTES) throw new Error(`the console folder ${root} holds more than ${CONSOLE_MAX_BYTES} bytes; is it the built console?`);
        out.set(relative, {
          body,
          contentType: CONTENT_TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          immutable: relative.startsWith('assets/'),
        });
      }
    }
  };
  walk(root, '');
  return out;
}
