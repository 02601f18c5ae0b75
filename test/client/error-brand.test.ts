/**
 * The error classes are recognised across copies of their module (the SDK's bundle and the
 * plugin's, two installs side by side): `instanceof` checks a registered brand, as undici's
 * errors do, not the prototype of one copy. A second copy is the same module imported again
 * under another URL (a query string makes it a separate module instance).
 */
import { describe, expect, it } from 'vitest';
import { ApiClientError } from '../../client/client-error.ts';
import { GatehouseError, isGatehouseError } from '../../schema/errors.ts';

type ErrorsModule = typeof import('../../schema/errors.ts');
type ClientErrorModule = typeof import('../../client/client-error.ts');

/** secondCopy imports a module again as a separate instance, with classes of its own. */
async function secondCopy<M>(relative: string): Promise<M> {
  const url = new URL(relative, import.meta.url);
  url.search = `?copy=${Math.random().toString(36).slice(2)}`;
  return (await import(/* @vite-ignore */ url.href)) as M;
}

describe('GatehouseError across copies', () => {
  it('an error made by another copy is a GatehouseError here, and ours is one there', async () => {
    const other = await secondCopy<ErrorsModule>('../../schema/errors.ts');
    expect(other.GatehouseError).not.toBe(GatehouseError);
    const theirs = new other.GatehouseError('NOT_FOUND', 'gone');
    expect(Object.getPrototypeOf(theirs)).not.toBe(GatehouseError.prototype);
    expect(theirs instanceof GatehouseError).toBe(true);
    expect(isGatehouseError(theirs)).toBe(true);
    expect(new GatehouseError('IN_USE', 'held') instanceof other.GatehouseError).toBe(true);
  });

  it('an object carrying the brand counts, an error without it does not', () => {
    const branded = Object.assign(new Error('x'), { [Symbol.for('gatehouse.error')]: true, code: 'NOT_FOUND' });
    expect(branded instanceof GatehouseError).toBe(true);
    expect(new Error('NOT_FOUND: look-alike') instanceof GatehouseError).toBe(false);
    expect(Object.assign(new Error('x'), { code: 'NOT_FOUND', status: 404 }) instanceof GatehouseError).toBe(false);
    for (const value of [null, undefined, 'NOT_FOUND', 404]) expect(GatehouseError[Symbol.hasInstance](value)).toBe(false);
  });

  it('a subclass keeps the ordinary prototype check', () => {
    class Narrower extends GatehouseError {}
    expect(new Narrower('NOT_FOUND', 'x') instanceof Narrower).toBe(true);
    expect(new GatehouseError('NOT_FOUND', 'x') instanceof Narrower).toBe(false);
    expect(new Narrower('NOT_FOUND', 'x') instanceof GatehouseError).toBe(true);
  });

  it('the brand is not an own enumerable field: the problem body and JSON stay as they were', () => {
    const err = new GatehouseError('NOT_FOUND', 'gone');
    expect(Object.keys(err)).not.toContain(String(Symbol.for('gatehouse.error')));
    expect(JSON.stringify(err.toProblem())).not.toContain('gatehouse.error');
  });
});

describe('ApiClientError across copies', () => {
  it('an error made by another copy of the client is an ApiClientError here, and the other way round', async () => {
    const other = await secondCopy<ClientErrorModule>('../../client/client-error.ts');
    expect(other.ApiClientError).not.toBe(ApiClientError);
    const call = { method: 'GET', path: '/v1/listeners' };
    const theirs = new other.ApiClientError({ code: 'API_TIMEOUT', endpoint: 'http://127.0.0.1:1', call, timeoutMs: 1000 });
    expect(theirs instanceof ApiClientError).toBe(true);
    expect(new ApiClientError({ code: 'API_CANCELLED', endpoint: 'http://127.0.0.1:1', call }) instanceof other.ApiClientError).toBe(true);
  });

  it('the two brands differ: a client error is not a GatehouseError, nor the reverse', () => {
    const call = { method: 'GET', path: '/v1/listeners' };
    const clientError = new ApiClientError({ code: 'API_UNREACHABLE', endpoint: 'http://127.0.0.1:1', call, reason: 'ECONNREFUSED' });
    expect(clientError instanceof GatehouseError).toBe(false);
    expect(new GatehouseError('NOT_FOUND', 'x') instanceof ApiClientError).toBe(false);
  });
});
