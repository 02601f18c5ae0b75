/** The health module: active health checks per server group (SPEC 1.6, E15). */
export { HealthChecker, serverKey } from './health-checker.ts';
export type { HealthCheckerOptions, HealthTransition, ServerHealth, ServerState } from './health-checker.ts';
export { compileProbe, probe } from './probe.ts';
export type { ProbeResult, ProbeSpec } from './probe.ts';
export { GroupHealthChecks } from './group-health-checks.ts';
export type { GroupHealthChecksOptions, ServerStateReport } from './group-health-checks.ts';
export type { GroupHealthSource } from './health-source.ts';
export { HealthReports, ReportedHealth } from './reported-health.ts';
