/** Shared fixtures for the engine-ii tests: configuration defaults as the snapshot compiler applies them. */
import type { ForwardedHeadersConfig, HealthCheckConfig } from '../../schema/snapshot.ts';
import { DEFAULT_FORWARDED_HEADERS, DEFAULT_HEALTH_CHECK } from '../engine/support/snapshots.ts';

/** forwardedConfig is SPEC 1.2.1's defaults with overrides. */
export function forwardedConfig(overrides: Partial<ForwardedHeadersConfig> = {}): ForwardedHeadersConfig {
  return { ...DEFAULT_FORWARDED_HEADERS, ...overrides };
}

/** healthConfig is SPEC 1.6's health-check defaults with overrides. */
export function healthConfig(overrides: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return { ...DEFAULT_HEALTH_CHECK, ...overrides };
}

/** pairs turns a flat header list into [name, value] pairs for readable assertions. */
export function pairs(flat: readonly string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i]!, flat[i + 1]!]);
  return result;
}
