/**
 * A minimal management-API client for the CLI commands: bearer token, JSON, problem+json
 * errors turned into readable messages, and paging over lists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, type Dispatcher } from 'undici';

/** DEFAULT_ENDPOINT is SPEC §3's default API base. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9080';
/** DEFAULT_DATA_DIR is SPEC §4's default data directory. */
export const DEFAULT_DATA_DIR = './.gatehouse';

/** ApiError is a failed API call with the problem's code when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** ApiClient talks to one management API. */
export class ApiClient {
  readonly endpoint: string;
  readonly #token: string;

  constructor(endpoint: string, token: string) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.#token = token;
  }

  /** request sends one call and returns the parsed JSON body (undefined for 204). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.endpoint}${path}`, {
        method: method as Dispatcher.HttpMethod,
        headers: { authorization: `Bearer ${this.#token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new ApiError(0, undefined, `cannot reach the management API at ${this.endpoint} (${code ?? (err as Error).message}); is \`gatehouse serve\` running?`);
    }
    if (status >= 400) {
      let code: string | undefined;
      let detail = text;
      try {
        const problem = JSON.parse(text) as { code?: string; detail?: string };
        code = problem.code;
        detail = problem.detail ?? text;
      } catch {
        // not problem+json: keep the raw text
      }
      throw new ApiError(status, code, `${method} ${path}: ${status}${code ? ` ${code}` : ''}: ${detail}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** listAll follows nextToken until the collection is exhausted. */
  async listAll<T = Record<string, unknown>>(collection: string, query = ''): Promise<T[]> {
    const items: T[] = [];
    let token: string | null = null;
    do {
      const sep = query === '' ? '?' : `?${query}&`;
      const page: { items: T[]; nextToken: string | null } = await this.request('GET', `/v1/${collection}${sep}limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
      items.push(...page.items);
      token = page.nextToken;
    } while (token);
    return items;
  }
}

/**
 * resolveClientToken finds the token a client command uses: --token / GATEHOUSE_TOKEN, else
 * the admin-token file of the local data directory (the common case on the server's machine).
 */
export function resolveClientToken(explicit: string | undefined, dataDir: string): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const path = join(dataDir, 'admin-token');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new Error(`no token: pass --token or set GATEHOUSE_TOKEN (or run where ${path} exists)`);
  }
}
