/**
 * ManagementClient: the one client of the management API (SPEC §3), on undici, for the provider
 * and the `gatehouse` command. Bearer token, JSON bodies, a fresh Idempotency-Key on each POST,
 * paging over lists, a deadline and an AbortSignal per call, the retry policy of
 * retry-policy.ts, and one reading of answers (problem.ts): a registry code becomes a
 * GatehouseError, every other failure an ApiClientError with a client code. Callers branch on
 * `code`, never on message text.
 *
 * The token is held privately and never appears in an error message.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { GatehouseError, type ApiCall } from '../schema/errors.ts';
import { ApiClientError } from './client-error.ts';
import { readAnswer } from './problem.ts';
import { DEFAULT_RETRY_POLICY, isIdempotent, retryDelay, shouldRetry, type RetryPolicy } from './retry-policy.ts';

/** DEFAULT_ENDPOINT is the management API of a local `gatehouse serve` (SPEC §3). */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9080';

/** isHttpUrl tells whether a configured endpoint is one the client can call: an http(s) URL with a host. */
export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * DEFAULT_TIMEOUT_MS bounds one call, its repetitions and the waits between them included: the
 * API answers in milliseconds, so 30 s only ends calls to a server that is stuck or gone.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** MAX_CONNECTIONS per client: `gatehouse drift` reads this many resources at once. */
export const MAX_CONNECTIONS = 8;

/** PAGE_LIMIT is the largest page SPEC §3 allows a list, so that a listing takes the fewest calls. */
export const PAGE_LIMIT = 100;

/**
 * TIMEOUT_CAUSES are undici's own deadlines for the headers and the body of an answer: the API
 * took the request and did not answer in time.
 */
const TIMEOUT_CAUSES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** HttpMethod is a method the API serves. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

/** ManagementClientOptions configure one client. */
export interface ManagementClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:9080`; default DEFAULT_ENDPOINT. */
  endpoint?: string | undefined;
  /** The bearer token; without one, calls go out without Authorization (only /v1/healthz answers them). */
  token: string | undefined;
  /** Deadline of each call unless the call gives its own; default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number | undefined;
  /** Default DEFAULT_RETRY_POLICY. */
  retry?: RetryPolicy | undefined;
}

/** CallOptions are per-call options. */
export interface CallOptions {
  /** Aborting it ends the call with API_CANCELLED. */
  signal?: AbortSignal | undefined;
  /** Deadline of this call (repetitions included); past it the call ends with API_TIMEOUT. */
  timeoutMs?: number | undefined;
  /**
   * Whether sending the call twice does what sending it once does, so that a failure before the
   * API answered may be repeated. Default: by method (GET, PUT, DELETE… yes; POST only with an
   * Idempotency-Key). A dry run says `true`: it writes nothing.
   */
  idempotent?: boolean | undefined;
  /**
   * Idempotency-Key of a POST, so that a repeated create cannot make a second resource. A POST
   * gets a fresh key when none is given; `null` sends none.
   */
  idempotencyKey?: string | null | undefined;
  /** More request headers (e.g. If-Match). */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** ApiResponse is a decoded 2xx answer; `body` is null when the answer has none (204). */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** ListPage is one page of a collection. */
export interface ListPage<T> {
  items: T[];
  nextToken: string | null;
}

/** ManagementClient talks to one management API. */
export class ManagementClient {
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly #token: string | undefined;
  readonly #retry: RetryPolicy;
  readonly #dispatcher: Agent;
  /** Aborted by close(): every call still in flight ends as API_CANCELLED. */
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;

  constructor(opts: ManagementClientOptions) {
    this.endpoint = (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#token = opts.token;
    this.#retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.#dispatcher = new Agent({ connections: MAX_CONNECTIONS });
  }

  /** hasToken tells whether a token is configured. */
  get hasToken(): boolean {
    return this.#token !== undefined && this.#token !== '';
  }

  /** get reads `path` (e.g. `/v1/listeners/lsn-…`). */
  get<T = Record<string, unknown>>(path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, undefined, opts);
  }

  /** post creates (or, with `?dryRun=true`, checks); a fresh Idempotency-Key unless one is given or `null`. */
  post<T = Record<string, unknown>>(path: string, body: unknown, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body, opts);
  }

  /** put replaces the desired state of a resource. */
  put<T = Record<string, unknown>>(path: string, body: unknown, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body, opts);
  }

  /** delete removes a resource. */
  delete(path: string, opts: CallOptions = {}): Promise<ApiResponse<null>> {
    return this.request<null>('DELETE', path, undefined, opts);
  }

  /**
   * pages yields a collection page by page (PAGE_LIMIT items each), following nextToken, with
   * `query` (e.g. `{ loadBalancerId }`, `{ 'tag.env': 'prod' }`) on every page.
   */
  async *pages<T = Record<string, unknown>>(collection: string, query: Readonly<Record<string, string>> = {}, opts: CallOptions = {}): AsyncGenerator<T[], void, undefined> {
    let token: string | null = null;
    do {
      const path = resourcePath(collection, undefined, queryString({ ...query, limit: String(PAGE_LIMIT), ...(token ? { nextToken: token } : {}) }));
      const page = await this.get<ListPage<T>>(path, opts);
      if (!isListPage(page.body)) {
        throw new ApiClientError({ code: 'API_OFF_CONTRACT', endpoint: this.endpoint, call: { method: 'GET', path }, answer: { status: page.status, text: '', defect: 'the body is not a page of a list ({items, nextToken})' } });
      }
      yield page.body.items;
      token = page.body.nextToken;
    } while (token);
  }

  /** listAll reads every item of a collection (see pages). */
  async listAll<T = Record<string, unknown>>(collection: string, query: Readonly<Record<string, string>> = {}, opts: CallOptions = {}): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages<T>(collection, query, opts)) items.push(...page);
    return items;
  }

  /**
   * request sends one call, repeating it under the retry policy when it is idempotent and failed
   * before the API answered, and returns the decoded answer or throws a GatehouseError (the API's
   * verdict) or an ApiClientError (no verdict).
   */
  async request<T = Record<string, unknown>>(method: HttpMethod, path: string, body?: unknown, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    const call: ApiCall = { method, path };
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const key = method === 'POST' && opts.idempotencyKey === undefined ? randomUUID() : (opts.idempotencyKey ?? undefined);
    const idempotent = isIdempotent(method, opts.idempotent, key !== undefined);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (this.hasToken) headers.authorization = `Bearer ${this.#token}`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (key !== undefined) headers['idempotency-key'] = key;

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const signal = AbortSignal.any([deadline.signal, this.#closing.signal, ...(opts.signal ? [opts.signal] : [])]);
    try {
      for (let attempt = 1; ; attempt++) {
        let failure: ApiClientError;
        try {
          return await this.#attempt<T>(call, headers, payload, signal);
        } catch (err) {
          if (err instanceof GatehouseError || err instanceof ApiClientError) throw err;
          failure = this.#failure(call, err, opts.signal, deadline.signal, timeoutMs);
        }
        if (!shouldRetry(this.#retry, attempt, idempotent, failure.code === 'API_UNREACHABLE' ? failure.reason : undefined)) throw failure;
        try {
          await sleep(retryDelay(this.#retry, attempt), undefined, { signal });
        } catch (err) {
          throw this.#failure(call, err, opts.signal, deadline.signal, timeoutMs);
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #attempt<T>(call: ApiCall, headers: Record<string, string>, payload: string | undefined, signal: AbortSignal): Promise<ApiResponse<T>> {
    const res = await request(this.endpoint + call.path, { method: call.method, headers, body: payload, signal, dispatcher: this.#dispatcher });
    const text = await res.body.text();
    const contentType = res.headers['content-type'];
    const body = readAnswer(this.endpoint, call, { status: res.statusCode, contentType: Array.isArray(contentType) ? contentType[0] : contentType, text });
    return { status: res.statusCode, body: body as T, headers: res.headers };
  }

  /** #failure names a failure before an answer: cancelled (caller or close), past the deadline, or unreachable. */
  #failure(call: ApiCall, err: unknown, callerSignal: AbortSignal | undefined, deadline: AbortSignal, timeoutMs: number): ApiClientError {
    const facts = { endpoint: this.endpoint, call, cause: err };
    if (callerSignal?.aborted) return new ApiClientError({ ...facts, code: 'API_CANCELLED', reason: 'cancelled by the caller' });
    if (this.#closing.signal.aborted) return new ApiClientError({ ...facts, code: 'API_CANCELLED', reason: 'the client was closed' });
    if (deadline.aborted) return new ApiClientError({ ...facts, code: 'API_TIMEOUT', reason: 'deadline', timeoutMs });
    const code = (err as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
    if (TIMEOUT_CAUSES.has(reason)) return new ApiClientError({ ...facts, code: 'API_TIMEOUT', reason });
    return new ApiClientError({ ...facts, code: 'API_UNREACHABLE', reason });
  }

  /** close ends the calls in flight (API_CANCELLED) and releases the connections; idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      await this.#dispatcher.close();
    })();
    return this.#closed;
  }
}

function isListPage(body: unknown): body is ListPage<unknown> {
  if (typeof body !== 'object' || body === null) return false;
  const page = body as Partial<ListPage<unknown>>;
  return Array.isArray(page.items) && (page.nextToken === null || page.nextToken === undefined || typeof page.nextToken === 'string');
}

/** queryString renders `{ a: '1', 'tag.env': 'x y' }` as `a=1&tag.env=x%20y`, in the order given. */
export function queryString(query: Readonly<Record<string, string>>): string {
  return Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** resourcePath builds `/v1/{collection}` or `/v1/{collection}/{id}` with the id escaped, and the query if any. */
export function resourcePath(collection: string, id?: string, query?: string): string {
  const base = id === undefined ? `/v1/${collection}` : `/v1/${collection}/${encodeURIComponent(id)}`;
  return query ? `${base}?${query}` : base;
}
