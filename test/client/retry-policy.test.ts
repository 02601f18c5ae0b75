/**
 * The retry policy as a table: the waits grow and stay bounded, only idempotent calls and only
 * failures before an answer are repeated, and the caller's word beats the method's default.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  IDEMPOTENT_METHODS,
  isIdempotent,
  NO_RETRY_POLICY,
  RETRY_ATTEMPTS,
  RETRY_BASE_DELAY_MS,
  RETRY_MAX_DELAY_MS,
  RETRYABLE_CAUSES,
  retryDelay,
  shouldRetry,
  type RetryPolicy,
} from '../../client/retry-policy.ts';

describe('backoff', () => {
  it('the default waits are 200, 500, 1000 ms, then stay at the bound', () => {
    expect([1, 2, 3, 4, 10].map((n) => retryDelay(DEFAULT_RETRY_POLICY, n))).toEqual([200, 500, 1000, 1000, 1000]);
    expect(RETRY_BASE_DELAY_MS).toBe(200);
    expect(RETRY_MAX_DELAY_MS).toBe(1000);
  });

  it('never exceeds the maximum and never shrinks, whatever the policy', () => {
    const policies: RetryPolicy[] = [
      { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, backoffFactor: 10, maxDelayMs: 5000 },
      { ...DEFAULT_RETRY_POLICY, baseDelayMs: 300, backoffFactor: 1, maxDelayMs: 300 },
      { ...DEFAULT_RETRY_POLICY, baseDelayMs: 50, backoffFactor: 3, maxDelayMs: 20 },
    ];
    for (const p of policies) {
      let previous = 0;
      for (let n = 1; n <= 50; n++) {
        const d = retryDelay(p, n);
        expect(d).toBeLessThanOrEqual(p.maxDelayMs);
        expect(d).toBeGreaterThanOrEqual(Math.min(previous, p.maxDelayMs));
        previous = d;
      }
    }
  });

  it('the whole default wait is bounded: four attempts, under two seconds of waiting', () => {
    expect(RETRY_ATTEMPTS).toBe(4);
    const total = Array.from({ length: RETRY_ATTEMPTS - 1 }, (_, i) => retryDelay(DEFAULT_RETRY_POLICY, i + 1)).reduce((a, b) => a + b, 0);
    expect(total).toBe(1700);
  });
});

describe('which calls', () => {
  it.each([
    ['GET', undefined, false, true],
    ['PUT', undefined, false, true],
    ['DELETE', undefined, false, true],
    ['HEAD', undefined, false, true],
    ['POST', undefined, false, false],
    ['POST', undefined, true, true],
    ['POST', true, false, true],
    ['GET', false, false, false],
    ['POST', false, true, false],
  ] as const)('%s (caller says %s, key %s) → idempotent %s', (method, explicit, key, expected) => {
    expect(isIdempotent(method, explicit, key)).toBe(expected);
  });

  it('the default methods are the ones undici’s RetryHandler repeats', () => {
    expect([...IDEMPOTENT_METHODS].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'TRACE']);
  });
});

describe('which failures', () => {
  it('causes before an answer are retryable; timeouts and anything else are not', () => {
    expect([...RETRYABLE_CAUSES].sort()).toEqual(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'UND_ERR_SOCKET']);
    for (const cause of RETRYABLE_CAUSES) expect(shouldRetry(DEFAULT_RETRY_POLICY, 1, true, cause)).toBe(true);
    for (const cause of ['UND_ERR_HEADERS_TIMEOUT', 'ENOTFOUND', 'CERT_HAS_EXPIRED', undefined]) expect(shouldRetry(DEFAULT_RETRY_POLICY, 1, true, cause)).toBe(false);
  });

  it('not when the call is not idempotent, nor when the attempts are used up', () => {
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 1, false, 'ECONNREFUSED')).toBe(false);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, RETRY_ATTEMPTS - 1, true, 'ECONNREFUSED')).toBe(true);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, RETRY_ATTEMPTS, true, 'ECONNREFUSED')).toBe(false);
    expect(shouldRetry(NO_RETRY_POLICY, 1, true, 'ECONNREFUSED')).toBe(false);
  });
});
