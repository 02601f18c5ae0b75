/**
 * RequestFactFields: the request facts ForwardedHeaders.build fills in (RequestFacts), unset
 * until it has run, as every request object the front door builds carries them — the proxied
 * exchange and the WebSocket upgrade alike. The Cookie fact is also the scheduler's sticky
 * input (PickInput's cookieHeader).
 */
import { TRANSFER_CODING_NONE } from '../headers/field-lists.ts';
import type { RequestFacts } from '../headers/forwarded-headers.ts';

/** RequestFactFields holds one request's facts, as ForwardedHeaders.build leaves them. */
export class RequestFactFields implements RequestFacts {
  host: string | undefined = undefined;
  contentLength: string | undefined = undefined;
  transferCoding = TRANSFER_CODING_NONE;
  acceptEncoding: string | undefined = undefined;
  cookie: string | undefined = undefined;
  expect: string | undefined = undefined;

  /** cookieHeader is the request's Cookie value (PickInput). */
  get cookieHeader(): string | undefined {
    return this.cookie;
  }
}
