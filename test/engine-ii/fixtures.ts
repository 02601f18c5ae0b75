/** Shared fixtures for the engine-ii tests: configuration defaults as the snapshot compiler applies them. */
import type { ForwardedHeadersConfig, HealthCheckConfig } from '../../schema/snapshot.ts';

/** forwardedConfig is SPEC 1.2.1's defaults with overrides. */
export function forwardedConfig(overrides: Partial<ForwardedHeadersConfig> = {}): ForwardedHeadersConfig {
  const off = { enabled: false };
  return {
    xForwardedFor: { enabled: true, mode: 'append' },
    clientIp: { enabled: false, trustedProxies: [] },
    slbId: false,
    proto: false,
    port: false,
    host: false,
    clientSrcPort: false,
    clientCertSubjectDn: off,
    clientCertIssuerDn: off,
    clientCertFingerprint: off,
    clientCertClientVerify: off,
    ...overrides,
  };
}

/** healthConfig is SPEC 1.6's health-check defaults with overrides. */
export function healthConfig(overrides: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return {
    enabled: true,
    protocol: 'HTTP',
    method: 'HEAD',
    path: '/',
    httpVersion: 'HTTP1.1',
    port: 0,
    interval: 2,
    timeout: 5,
    healthyThreshold: 3,
    unhealthyThreshold: 3,
    codes: ['http_2xx', 'http_3xx'],
    ...overrides,
  };
}

/** pairs turns a flat header list into [name, value] pairs for readable assertions. */
export function pairs(flat: readonly string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i]!, flat[i + 1]!]);
  return result;
}
