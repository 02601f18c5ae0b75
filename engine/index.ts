/**
 * The forwarding engine's public entry point: the Engine class and the types the server
 * exchanges with it. Nothing else in engine/ is meant to be imported from outside.
 */
export { Engine, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_TICKET_KEY_ROTATION_MS } from './engine.ts';
export { SharedTicketSecret, type TicketSecretFeed } from './tls/ticket-keys.ts';
export { ServerCookieTable, SERVER_COOKIE_TABLE_MAX } from './balancing/server-cookie-table.ts';
export { GroupHealthChecks, type GroupHealthChecksOptions, type ServerStateReport } from './health/group-health-checks.ts';
export type { HealthTransition, ServerState } from './health/health-checker.ts';
export type {
  ApplyFault,
  ApplyResult,
  EngineOptions,
  EngineStatus,
  ListenerState,
  PrepareOptions,
  PreparedSnapshot,
  PrepareProblem,
  ServerCookieEvent,
  ServerHealth,
  AccessLogRecord,
} from './types.ts';
