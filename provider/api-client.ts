/**
 * ApiClient: the provider's (and `gatehouse drift`'s) client of the management API (SPEC §3),
 * on undici, with the bearer token. An error answer becomes a GatehouseError carrying the
 * server's `code` and `errors[]`, so that callers branch on codes, never on text.
 *
 * The token is held privately and never appears in an error message or a log line.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import { GatehouseError, isErrorCode, type FieldError } from '../schema/errors.ts';

/** ApiClientOptions configure one client. */
export interface ApiClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:9080`. */
  endpoint: string;
  token: string | undefined;
  /** Per-request deadline for headers and body, default 30 s. */
  timeoutMs?: number;
}

/** ApiResponse is a decoded 2xx answer. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** RequestOptions are per-call options. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /**
   * Idempotency-Key of a POST, so that a retried create cannot make a second resource. A POST
   * gets a fresh key when none is given; `null` sends none (a dry run creates nothing).
   */
  idempotencyKey?: string | null | undefined;
}

/** ApiUnavailableError means the API could not be reached or answered outside the contract. */
export class ApiUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiUnavailableError';
  }
}

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const RETRY_DELAYS_MS = [200, 500, 1000];

/** ApiClient performs the resource calls of the management API. */
export class ApiClient {
  readonly endpoint: string;
  readonly #token: string | undefined;
  readonly #dispatcher: Agent;
  #closed = false;

  constructor(opts: ApiClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    this.#token = opts.token;
    const timeout = opts.timeoutMs ?? 30_000;
    this.#dispatcher = new Agent({ headersTimeout: timeout, bodyTimeout: timeout, connections: 8 });
  }

  /** hasToken tells whether a token is configured. */
  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** get reads `path` (e.g. `/v1/listeners/lsn-…`). */
  get<T = Record<string, unknown>>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.#call<T>('GET', path, undefined, opts);
  }

  /** post creates; a key is generated when none is given so that retries stay idempotent. */
  post<T = Record<string, unknown>>(path: string, body: unknown, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.#call<T>('POST', path, body, { ...opts, idempotencyKey: opts.idempotencyKey === undefined ? randomUUID() : opts.idempotencyKey });
  }

  /** put replaces the desired state of a resource. */
  put<T = Record<string, unknown>>(path: string, body: unknown, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.#call<T>('PUT', path, body, opts);
  }

  /** delete removes a resource. */
  delete(path: string, opts: RequestOptions = {}): Promise<ApiResponse<null>> {
    return this.#call<null>('DELETE', path, undefined, opts);
  }

  async #call<T>(method: Dispatcher.HttpMethod, path: string, body: unknown, opts: RequestOptions): Promise<ApiResponse<T>> {
    if (this.#token === undefined) {
      throw new ApiUnavailableError('no Gatehouse API token: set the provider config gatehouse:token (secret) or the GATEHOUSE_TOKEN environment variable');
    }
    const url = this.endpoint + path;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (typeof opts.idempotencyKey === 'string') headers['idempotency-key'] = opts.idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method, headers, body: payload, signal: opts.signal, dispatcher: this.#dispatcher });
      } catch (err) {
        if (opts.signal?.aborted) throw new ApiUnavailableError(`${method} ${path} was cancelled`, { cause: err });
        const code = (err as { code?: string }).code ?? '';
        const delay = RETRY_DELAYS_MS[attempt];
        // Only requests that are safe to repeat are retried; a POST is, thanks to its Idempotency-Key.
        const repeatable = method !== 'POST' || typeof opts.idempotencyKey === 'string' || path.includes('dryRun=true');
        if (delay !== undefined && repeatable && RETRYABLE_NETWORK_CODES.has(code)) {
          await sleep(delay, opts.signal);
          continue;
        }
        throw new ApiUnavailableError(`cannot reach the Gatehouse API at ${this.endpoint} (${method} ${path}): ${(err as Error).message}`, { cause: err });
      }
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return { status: res.statusCode, body: (text === '' ? null : JSON.parse(text)) as T };
      }
      throw toApiError(method, path, res.statusCode, text);
    }
  }

  /** close releases the connections; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#dispatcher.close();
  }
}

/** toApiError turns an error answer into a GatehouseError (registry code) or an ApiUnavailableError. */
export function toApiError(method: string, path: string, status: number, text: string): Error {
  let problem: { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown } | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) problem = parsed as typeof problem;
  } catch {
    problem = undefined;
  }
  if (problem && isErrorCode(problem.code)) {
    const errors: FieldError[] = Array.isArray(problem.errors)
      ? problem.errors
          .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
          .map((e) => ({
            path: typeof e.path === 'string' ? e.path : '',
            message: typeof e.message === 'string' ? e.message : '',
            ...(isErrorCode(e.code) ? { code: e.code } : {}),
          }))
      : [];
    const detail = typeof problem.detail === 'string' ? problem.detail : String(problem.title ?? problem.code);
    return new GatehouseError(problem.code, detail, errors);
  }
  const detail = problem && typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
  return new ApiUnavailableError(`the Gatehouse API answered ${status} to ${method} ${path}${detail}`);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ApiUnavailableError('cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ApiUnavailableError('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** resourcePath builds `/v1/{collection}` or `/v1/{collection}/{id}` with the id escaped. */
export function resourcePath(collection: string, id?: string, query?: string): string {
  const base = id === undefined ? `/v1/${collection}` : `/v1/${collection}/${encodeURIComponent(id)}`;
  return query ? `${base}?${query}` : base;
}
