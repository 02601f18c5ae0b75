/** Shared fixtures of the schema tests: a minimal valid body per kind and path helpers. */
import { expect } from 'vitest';
import { parseResource, type FieldError, type ParseResult, type ResourceKindName } from '../../schema/index.ts';

/** BASE holds one minimal valid create body per kind. */
export const BASE: Record<ResourceKindName, Record<string, unknown>> = {
  LoadBalancer: { name: 'lb' },
  Listener: { loadBalancerId: 'alb-x', protocol: 'HTTPS', port: 443, defaultServerGroupId: 'sgp-x', certificates: { defaultCertificateId: 'cert-d' } },
  QuicListener: { loadBalancerId: 'alb-x', port: 443, defaultServerGroupId: 'sgp-x', certificates: { defaultCertificateId: 'cert-d' } },
  Certificate: { name: 'cert', certificatePem: 'pem', privateKeyPem: 'key' },
  TlsSecurityPolicy: { name: 'p1', tlsVersions: ['TLSv1.2'], ciphers: ['AES128-SHA'] },
  ServerGroup: { name: 'sg' },
};

/** HTTP_LISTENER is a minimal valid HTTP listener body. */
export const HTTP_LISTENER = { loadBalancerId: 'alb-x', protocol: 'HTTP', port: 80, defaultServerGroupId: 'sgp-x' };

/** withPath returns a deep copy of `body` with the dotted `path` set to `value`. */
export function withPath(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const parts = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
  return copy;
}

/** getPath reads a dotted path of a parsed value. */
export function getPath(value: unknown, path: string): unknown {
  let node: unknown = value;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

/** parsed asserts success and returns the value. */
export function parsed(result: ParseResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** failures asserts failure and returns the errors. */
export function failures(result: ParseResult): FieldError[] {
  if (result.ok) throw new Error(`expected failure, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

/** expectFailureAt asserts that parsing fails with (at least) one error at `path`, with `code`. */
export function expectFailureAt(result: ParseResult, path: string, code = 'VALIDATION_FAILED'): void {
  const errors = failures(result);
  expect(errors.map((e) => `${e.path} ${e.code}`)).toContain(`${path} ${code}`);
}

/** create parses a create body of a kind. */
export function create(kind: ResourceKindName, body: unknown): ParseResult {
  return parseResource(kind, 'create', body);
}
