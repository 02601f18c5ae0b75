/**
 * The one body parser of the API: JSON in UTF-8, nothing else. It replaces fastify's parsers
 * (which also take text/plain and decode invalid UTF-8 into U+FFFD without a word) so that a
 * body is refused before any route sees it when it is of another media type (415), is not
 * strict UTF-8, nests deeper than MAX_JSON_DEPTH, or is not JSON (400).
 */
import type { FastifyInstance } from 'fastify';
import { GatehouseError } from '../../schema/errors.ts';
import { exceedsDepth, fieldsHolding, MAX_JSON_DEPTH } from './json-scan.ts';

/** JSON_MEDIA_TYPE is the only media type a request body may have. */
export const JSON_MEDIA_TYPE = 'application/json';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');
const REPLACEMENT = '\uFFFD';
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

function unsupported(detail: string): GatehouseError {
  return new GatehouseError('UNSUPPORTED_MEDIA_TYPE', detail);
}

function invalid(detail: string, paths: readonly string[] = ['']): GatehouseError {
  return new GatehouseError(
    'VALIDATION_FAILED',
    detail,
    paths.map((path) => ({ path, message: detail })),
  );
}

/**
 * checkMediaType refuses a JSON content type with a charset other than UTF-8 and any content
 * coding: the body would be read as bytes it is not.
 */
export function checkMediaType(contentType: string | undefined, contentEncoding: string | string[] | undefined): void {
  const charset = contentType === undefined ? undefined : CHARSET.exec(contentType);
  if (charset) {
    const name = (charset[1] ?? charset[2] ?? '').toLowerCase();
    if (name !== 'utf-8' && name !== 'utf8') throw unsupported(`the request body must be UTF-8 JSON; charset=${name} is not accepted`);
  }
  if (contentEncoding !== undefined && String(contentEncoding).trim().toLowerCase() !== 'identity') {
    throw unsupported(`the request body must not be encoded; Content-Encoding: ${String(contentEncoding)} is not accepted`);
  }
}

/** syntaxMessage is JSON.parse's own account of a syntax error (fastify's parser hides it). */
function syntaxMessage(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * parseJsonBody turns raw body bytes into a value. `parse` is fastify's own JSON parser with
 * prototype-poisoning protection, run on text already known to be shallow.
 */
export function parseJsonBody(raw: Buffer, parse: (text: string) => unknown): unknown {
  if (raw.length === 0) throw invalid('the request body is empty; a JSON object is expected');
  let text: string;
  let wellFormed = true;
  try {
    text = STRICT_UTF8.decode(raw);
  } catch {
    // Decode again, leniently, only to find which fields hold the bad bytes.
    text = LENIENT_UTF8.decode(raw);
    wellFormed = false;
  }
  if (exceedsDepth(text, MAX_JSON_DEPTH)) throw invalid(`the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    if (!wellFormed) throw invalid('the request body is not valid UTF-8');
    // JSON that parses yet was refused used a key that would reach Object.prototype.
    throw invalid(`the request body is not valid JSON: ${syntaxMessage(text) ?? 'a "__proto__" or "constructor.prototype" key is not accepted'}`);
  }
  if (!wellFormed) {
    const paths = fieldsHolding(value, REPLACEMENT);
    const message = 'holds bytes that are not valid UTF-8';
    if (paths.length === 0) throw invalid(`the request body is not valid UTF-8`);
    throw new GatehouseError(
      'VALIDATION_FAILED',
      `the request body is not valid UTF-8: ${paths.join(', ')}`,
      paths.map((path) => ({ path, message })),
    );
  }
  return value;
}

/**
 * registerJsonBody makes application/json (UTF-8) the only accepted request body, up to
 * `bodyLimit` bytes; a body of any other type, or one without a Content-Type, gets 415.
 */
export function registerJsonBody(app: FastifyInstance, bodyLimit: number): void {
  const defaultParser = app.getDefaultJsonParser('error', 'error');
  const parse = (text: string): unknown => {
    const outcome: { error: Error | null; value: unknown } = { error: null, value: undefined };
    // fastify's parser reports through a callback, synchronously.
    void defaultParser({} as never, text, (error, value) => {
      outcome.error = error;
      outcome.value = value;
    });
    if (outcome.error !== null) throw outcome.error;
    return outcome.value;
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      checkMediaType(request.headers['content-type'], request.headers['content-encoding']);
      done(null, parseJsonBody(body as Buffer, parse));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
