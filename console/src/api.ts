/**
 * The console's calls to the management API on its own origin: every call carries the admin
 * token as a Bearer header, and a refusal becomes an ApiError with the problem+json code and
 * title the API answered, so the page shows the API's own words.
 */

/** FieldProblem is one entry of a problem's `errors[]`: the field (a path like `certificates.defaultCertificateId`) and what is wrong. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** ApiError is a call the API refused (its problem+json) or that got no usable answer. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** The fields the refusal concerns (validation and live-state rules), as the API listed them. */
  readonly errors: readonly FieldProblem[];

  constructor(status: number, code: string, title: string, detail?: string, errors: readonly FieldProblem[] = []) {
    super(detail === undefined ? `${code}: ${title}` : `${code}: ${title} — ${detail}`);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }
}

/** asApiError turns anything a call threw into an ApiError (a network failure becomes API_UNREACHABLE). */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'API_UNREACHABLE', 'The management API could not be reached', String(err));
}

/** ApiCall is one request to the API: method, path (with its query), and optionally a JSON body and headers. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  token: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** ApiAnswer is an accepted call: status, body (undefined for 204 and 304) and the ETag, if any. */
export interface ApiAnswer<T> {
  status: number;
  body: T | undefined;
  etag: string | undefined;
}

/**
 * apiCall makes one call. A refusal (4xx/5xx) throws an ApiError carrying the problem's code,
 * title, detail and field errors; 2xx and 304 answer. The credentials stay in the header: the
 * token is never in a URL, and no cookie is sent.
 */
export async function apiCall<T>(call: ApiCall): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${call.token}`, accept: 'application/json', ...call.headers };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(call.path, {
      method: call.method,
      headers,
      cache: 'no-store',
      credentials: 'omit',
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'API_UNREACHABLE', 'The management API could not be reached');
  }
  const etag = res.headers.get('etag') ?? undefined;
  if (res.status === 204 || res.status === 304) return { status: res.status, body: undefined, etag };
  const type = res.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await res.json().catch(() => undefined) : undefined;
  if (res.ok && body !== undefined) return { status: res.status, body: body as T, etag };
  if (isProblem(body)) {
    const errors = Array.isArray(body.errors) ? body.errors.filter(isFieldProblem) : [];
    throw new ApiError(res.status, body.code, body.title, typeof body.detail === 'string' ? body.detail : undefined, errors);
  }
  throw new ApiError(res.status, 'API_OFF_CONTRACT', `Unexpected answer ${res.status} from the management API`);
}

/** apiGet reads one JSON document of the API with the token. */
export async function apiGet<T>(path: string, token: string, signal?: AbortSignal): Promise<T> {
  const answer = await apiCall<T>({ method: 'GET', path, token, signal });
  if (answer.body === undefined) throw new ApiError(answer.status, 'API_OFF_CONTRACT', `Unexpected answer ${answer.status} from the management API`);
  return answer.body;
}

function isFieldProblem(e: unknown): e is FieldProblem {
  return typeof e === 'object' && e !== null && typeof (e as { path?: unknown }).path === 'string' && typeof (e as { message?: unknown }).message === 'string';
}

function isProblem(body: unknown): body is { code: string; title: string; detail?: unknown; errors?: unknown } {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string' && typeof (body as { title?: unknown }).title === 'string';
}

/** Page is one page of a collection. */
interface Page<T> {
  items: T[];
  nextToken?: string | null;
}

/** MAX_PAGES bounds how far a list is followed (100 items a page). */
const MAX_PAGES = 50;

/** listAll reads every page of a collection. */
export async function listAll<T>(collection: string, token: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const query = new URLSearchParams({ limit: '100' });
    if (next !== undefined) query.set('nextToken', next);
    const page = await apiGet<Page<T>>(`/v1/${collection}?${query.toString()}`, token, signal);
    items.push(...page.items);
    if (!page.nextToken) break;
    next = page.nextToken;
  }
  return items;
}

/** checkToken asks the API whether a token is the admin token (a cheap authenticated read). */
export async function checkToken(token: string): Promise<void> {
  await apiGet('/v1/load-balancers?limit=1', token);
}
