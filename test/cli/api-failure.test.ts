/**
 * How `gatehouse status` words a failed call (cli/api-failure.ts), code by code: the texts of
 * SPEC §4's failures (test/cli/client-errors.test.ts runs them end to end) and the ones a
 * running server rarely shows (a deadline, a cancelled call, a success that is not JSON).
 */
import { describe, expect, it } from 'vitest';
import { ApiClientError } from '../../client/client-error.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { describeApiFailure } from '../../cli/api-failure.ts';

const endpoint = 'http://127.0.0.1:9';
const call = { method: 'GET', path: '/v1/listeners?limit=100' };

describe('describeApiFailure', () => {
  it('unreachable: the endpoint, the cause and the question whether serve runs', () => {
    const err = new ApiClientError({ code: 'API_UNREACHABLE', endpoint, call, reason: 'ECONNREFUSED' });
    expect(describeApiFailure(err)).toBe('cannot reach the management API at http://127.0.0.1:9 (ECONNREFUSED); is `gatehouse serve` running?');
  });

  it('past the deadline: said as unreachable, with the deadline', () => {
    const err = new ApiClientError({ code: 'API_TIMEOUT', endpoint, call, timeoutMs: 30_000 });
    expect(describeApiFailure(err)).toBe('cannot reach the management API at http://127.0.0.1:9 (no answer within 30 s); is `gatehouse serve` running?');
  });

  it('the API’s verdict: the call, the status, the code and the detail', () => {
    const err = new GatehouseError('UNAUTHENTICATED', 'a valid bearer token is required', [], { call });
    expect(describeApiFailure(err)).toBe('GET /v1/listeners?limit=100: 401 UNAUTHENTICATED: a valid bearer token is required');
  });

  it('not the API’s answer: the call, the status and the text, or what is wrong with a success', () => {
    const page = new ApiClientError({ code: 'API_OFF_CONTRACT', endpoint, call, answer: { status: 502, text: '<html>Bad Gateway</html>' } });
    expect(describeApiFailure(page)).toBe('GET /v1/listeners?limit=100: 502: <html>Bad Gateway</html>');
    const other = new ApiClientError({ code: 'API_OFF_CONTRACT', endpoint, call, answer: { status: 500, text: '{}', problemCode: 'INTERNAL', problemDetail: 'boom' } });
    expect(describeApiFailure(other)).toBe('GET /v1/listeners?limit=100: 500 INTERNAL: boom');
    const notJson = new ApiClientError({ code: 'API_OFF_CONTRACT', endpoint, call, answer: { status: 200, text: 'hello', defect: 'the body is not valid JSON' } });
    expect(describeApiFailure(notJson)).toBe('GET /v1/listeners?limit=100: 200: the body is not valid JSON');
  });

  it('cancelled, and anything else: its own message', () => {
    expect(describeApiFailure(new ApiClientError({ code: 'API_CANCELLED', endpoint, call }))).toBe('GET /v1/listeners?limit=100 was cancelled');
    expect(describeApiFailure(new Error('no token: pass --token'))).toBe('no token: pass --token');
  });
});
