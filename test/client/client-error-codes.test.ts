/**
 * The client codes (SPEC §3 "Client errors"): they sit beside the API's codes in the registry,
 * SPEC names exactly them in their own paragraph, and the server never documents them as
 * answers (not in the API's list of codes, not in the OpenAPI document). The provider's hints
 * are keyed by registered codes only.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES, ERROR_CODES, isClientErrorCode, isErrorCode, PROVIDER_HINTS } from '../../schema/errors.ts';
import { buildOpenApiDocument } from '../../server/openapi/document.ts';

const spec = readFileSync(new URL('../../docs/SPEC.md', import.meta.url), 'utf8');
const section3 = spec.slice(spec.indexOf('## 3. Management API'), spec.indexOf('## 4. Command line'));
const clientCodes = Object.keys(CLIENT_ERROR_CODES).sort();

function paragraphStarting(text: string, start: string): string {
  const at = text.indexOf(start);
  expect(at, `SPEC §3 has a paragraph starting "${start}"`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n\n', at);
  return text.slice(at, end < 0 ? undefined : end);
}

describe('client error codes', () => {
  it('are the four transport failures', () => {
    expect(clientCodes).toEqual(['API_CANCELLED', 'API_OFF_CONTRACT', 'API_TIMEOUT', 'API_UNREACHABLE']);
    for (const code of clientCodes) {
      expect(isClientErrorCode(code)).toBe(true);
      expect(isErrorCode(code), `${code} is not a code the API answers with`).toBe(false);
    }
  });

  it('share no code with the API’s registry', () => {
    expect(Object.keys(ERROR_CODES).filter((c) => isClientErrorCode(c))).toEqual([]);
  });

  it('SPEC §3 names exactly them in the "Client errors" paragraph', () => {
    const paragraph = paragraphStarting(section3, 'Client errors:');
    const named = [...new Set([...paragraph.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]!))].filter((c) => c.startsWith('API_')).sort();
    expect(named).toEqual(clientCodes);
  });

  it('SPEC’s list of the API’s codes does not name them', () => {
    const codes = paragraphStarting(section3, 'Errors:');
    for (const code of clientCodes) expect(codes).not.toContain(code);
  });

  it('the OpenAPI document (the server’s documented error answers) does not name them', () => {
    const text = JSON.stringify(buildOpenApiDocument('0.0.0-test'));
    expect(text).toContain('VALIDATION_FAILED');
    for (const code of clientCodes) expect(text).not.toContain(code);
  });

  it('the provider’s hints are keyed by registered codes, the client codes included', () => {
    for (const code of Object.keys(PROVIDER_HINTS)) expect(isErrorCode(code) || isClientErrorCode(code), code).toBe(true);
    for (const code of ['API_UNREACHABLE', 'API_TIMEOUT', 'API_OFF_CONTRACT'] as const) expect(PROVIDER_HINTS[code]).toMatch(/gatehouse:endpoint/);
  });
});
