/**
 * The public API of `schema/`: resource models, ids, parsing, rules, TLS policies, wildcard
 * matching, the engine snapshot types and the error registry. Imports zod and node built-ins
 * only, so the SDK can load it without the server or the engine.
 */
export * from './errors.ts';
export * from './field-path.ts';
export * from './net.ts';
export * from './ids.ts';
export * from './kinds.ts';
export * from './parse.ts';
export * from './resource-kind.ts';
export * from './snapshot.ts';
export * from './tls-policies.ts';
export * from './wildcard.ts';
export * from './resources/common.ts';
export * from './resources/tags.ts';
export * from './resources/forwarded-headers.ts';
export * from './resources/health-check.ts';
export * from './resources/listener-certificates.ts';
export * from './resources/load-balancer.ts';
export * from './resources/listener.ts';
export * from './resources/quic-listener.ts';
export * from './resources/certificate.ts';
export * from './resources/tls-security-policy.ts';
export * from './resources/server-group.ts';
export * from './certificate-inspect.ts';
export * from './rules/index.ts';
export * from './emit/index.ts';
