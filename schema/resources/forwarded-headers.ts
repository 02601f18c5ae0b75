/**
 * forwardedHeaders of an HTTP/HTTPS listener (SPEC 1.2.1): which headers the engine adds for
 * the backend, the X-Forwarded-For handling, client-IP retrieval and the renamable
 * client-certificate headers.
 */
import { z } from 'zod';
import { httpsOnly } from '../field-facts.ts';
import { isIpOrCidr } from '../net.ts';
import type { DeepReadonly } from '../resource-kind.ts';
import { applyRules, requiredWhen, type FieldRule } from '../field-rules.ts';
import { issueAt } from './common.ts';

/** RESERVED_HEADER_NAMES may never be used as a renamed client-certificate header (400 RESERVED_HEADER_NAME). */
export const RESERVED_HEADER_NAMES: readonly string[] = Object.freeze([
  'slb-id',
  'slb-ip',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-eip',
  'x-forwarded-port',
  'x-forwarded-client-srcport',
  'x-forwarded-host',
  'connection',
  'upgrade',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'te',
  'host',
  'cookie',
  'remoteip',
  'authority',
]);

/** HEADER_NAME_PATTERN is the charset of a renamed header: 1–40 of `[a-z0-9_-]`. */
export const HEADER_NAME_PATTERN = /^[a-z0-9_-]{1,40}$/;

/** CLIENT_CERT_HEADER_FIELDS are the forwardedHeaders entries that exist only on HTTPS listeners. */
export const CLIENT_CERT_HEADER_FIELDS = [
  'clientCertSubjectDn',
  'clientCertIssuerDn',
  'clientCertFingerprint',
  'clientCertClientVerify',
] as const;

/** ClientCertHeaderField is one of the HTTPS-only forwarded-header entries. */
export type ClientCertHeaderField = (typeof CLIENT_CERT_HEADER_FIELDS)[number];

/** DEFAULT_CLIENT_CERT_HEADER_NAMES are the names the client-certificate headers carry unless renamed. */
export const DEFAULT_CLIENT_CERT_HEADER_NAMES: Readonly<Record<ClientCertHeaderField, string>> = {
  clientCertSubjectDn: 'X-Forwarded-Clientcert-subjectdn',
  clientCertIssuerDn: 'X-Forwarded-Clientcert-issuerdn',
  clientCertFingerprint: 'X-Forwarded-Clientcert-fingerprint',
  clientCertClientVerify: 'X-Forwarded-Clientcert-clientverify',
};

/**
 * checkHeaderName returns why a renamed header is refused, with its code, or undefined when
 * it is acceptable. Reserved names are recognised in any case, before the charset check, so
 * that `X-Forwarded-For` is reported as reserved rather than as upper case.
 */
export function checkHeaderName(name: string): { code: 'RESERVED_HEADER_NAME' | 'VALIDATION_FAILED'; message: string } | undefined {
  if (RESERVED_HEADER_NAMES.includes(name.toLowerCase())) {
    return { code: 'RESERVED_HEADER_NAME', message: `"${name}" is a reserved header name` };
  }
  if (!HEADER_NAME_PATTERN.test(name)) {
    return { code: 'VALIDATION_FAILED', message: 'header name must be 1–40 characters of [a-z0-9_-]' };
  }
  return undefined;
}

function clientCertHeader(header: string) {
  const entry = z
    .strictObject({
      enabled: z.boolean().default(false).describe(`Send ${header} to the backend.`),
      headerName: z
        .string()
        .superRefine((name, ctx) => {
          const problem = checkHeaderName(name);
          if (problem) issueAt(ctx, [], problem.message, problem.code);
        })
        .optional()
        .describe(`Rename ${header}: 1–40 characters of [a-z0-9_-], not a reserved header name.`),
    })
    .describe(`${header}: the client certificate header, optionally renamed.`);
  return httpsOnly(entry, { enabled: false });
}

/** clientCertHeaderSchemas parse the four client-certificate header entries, with their defaults. */
export const clientCertHeaderSchemas = {
  clientCertSubjectDn: clientCertHeader('X-Forwarded-Clientcert-subjectdn (subject DN of the client certificate)'),
  clientCertIssuerDn: clientCertHeader('X-Forwarded-Clientcert-issuerdn (issuer DN of the client certificate)'),
  clientCertFingerprint: clientCertHeader('X-Forwarded-Clientcert-fingerprint (SHA-1 hex of the client certificate)'),
  clientCertClientVerify: clientCertHeader('X-Forwarded-Clientcert-clientverify (SUCCESS, FAILED or NONE)'),
} as const;

const xForwardedFor = z
  .strictObject({
    enabled: z.boolean().default(true).describe('X-Forwarded-For handling is on; off leaves the header unchanged.'),
    mode: z
      .enum(['append', 'remove'])
      .default('append')
      .describe('`append` adds the last hop\'s IP (creating the header if absent); `remove` deletes the header.'),
  })
  .describe('X-Forwarded-For handling.');

/** clientIpRules are the rules of forwardedHeaders.clientIp: retrieving the client IP needs the proxies to trust. */
export const clientIpRules: readonly FieldRule[] = [
  requiredWhen('trustedProxies', { path: 'enabled', truthy: true }, 'clientIp.trustedProxies holds at least one entry when clientIp.enabled is true.', {
    id: 'client-ip-requires-trusted-proxies',
    message: 'at least one trusted proxy is required when clientIp is enabled',
  }),
];

const clientIp = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Retrieve Client IP: take the client IP from X-Forwarded-For (not on Basic load balancers).'),
    trustedProxies: z
      .array(z.string().refine(isIpOrCidr, { message: 'must be an IP address or a CIDR block' }))
      .default([])
      .describe('Trusted proxy addresses or CIDR blocks, required when enabled. `0.0.0.0/0` takes the leftmost address; otherwise the header is walked right to left and the first untrusted address is taken.'),
  })
  .superRefine(applyRules(clientIpRules))
  .describe('Retrieve the client IP from X-Forwarded-For.');

/** forwardedHeadersSchema is `forwardedHeaders` with every default applied; client-certificate entries stay absent until the listener applies HTTPS defaults. */
export const forwardedHeadersSchema = z
  .strictObject({
    xForwardedFor: xForwardedFor.prefault({}),
    clientIp: clientIp.prefault({}),
    slbId: z.boolean().default(false).describe('Send `SLB-ID: <loadBalancerId>`.'),
    proto: z.boolean().default(false).describe('Send `X-Forwarded-Proto: http|https`.'),
    port: z.boolean().default(false).describe('Send `X-Forwarded-Port: <listener port>`.'),
    host: z.boolean().default(false).describe('Send `X-Forwarded-Host: <client Host>`.'),
    clientSrcPort: z.boolean().default(false).describe('Send `X-Forwarded-Client-srcport: <client TCP port>`.'),
    clientCertSubjectDn: clientCertHeaderSchemas.clientCertSubjectDn.optional(),
    clientCertIssuerDn: clientCertHeaderSchemas.clientCertIssuerDn.optional(),
    clientCertFingerprint: clientCertHeaderSchemas.clientCertFingerprint.optional(),
    clientCertClientVerify: clientCertHeaderSchemas.clientCertClientVerify.optional(),
  })
  .describe('Headers the listener adds or rewrites on requests to the backend.');

/** ListenerForwardedHeaders is forwardedHeaders as stored and read; HTTP listeners have no client-certificate entries. */
export type ListenerForwardedHeaders = z.output<typeof forwardedHeadersSchema>;

/** forwardedHeadersSnapshotSchema is forwardedHeaders as the engine gets it: every entry present. */
export const forwardedHeadersSnapshotSchema = z.strictObject({
  ...forwardedHeadersSchema.shape,
  ...clientCertHeaderSchemas,
});

/** ForwardedHeadersConfig is SPEC 1.2.1 with every default applied, as the engine gets it. */
export type ForwardedHeadersConfig = DeepReadonly<z.output<typeof forwardedHeadersSnapshotSchema>>;

/** ClientCertHeaderConfig turns one client-certificate header on, optionally renamed. */
export type ClientCertHeaderConfig = ForwardedHeadersConfig['clientCertSubjectDn'];

const DISABLED_CLIENT_CERT_HEADER: ClientCertHeaderConfig = Object.freeze({ enabled: false });

/**
 * toForwardedHeadersConfig gives the engine's form of forwardedHeaders: every entry present,
 * client-certificate headers off where the listener (HTTP) has none.
 */
export function toForwardedHeadersConfig(fh: ListenerForwardedHeaders): ForwardedHeadersConfig {
  return {
    xForwardedFor: fh.xForwardedFor,
    clientIp: fh.clientIp,
    slbId: fh.slbId,
    proto: fh.proto,
    port: fh.port,
    host: fh.host,
    clientSrcPort: fh.clientSrcPort,
    clientCertSubjectDn: fh.clientCertSubjectDn ?? DISABLED_CLIENT_CERT_HEADER,
    clientCertIssuerDn: fh.clientCertIssuerDn ?? DISABLED_CLIENT_CERT_HEADER,
    clientCertFingerprint: fh.clientCertFingerprint ?? DISABLED_CLIENT_CERT_HEADER,
    clientCertClientVerify: fh.clientCertClientVerify ?? DISABLED_CLIENT_CERT_HEADER,
  };
}
