/** The observability module: access log records and writer, engine metrics (SPEC E18). */
export { AccessLogWriter, SERVER_FLUSH_DELAY_MS, completeAccessLogRecord, createAccessLogRecord, tlsFacts } from './access-log.ts';
export type { AccessLogRecord, AccessLogWriterOptions, TlsFacts } from './access-log.ts';
export {
  DURATION_BUCKETS,
  EngineMetrics,
  ListenerMetrics,
  STATUS_CLASSES,
  ServerGroupMetrics,
  backendErrorReason,
  tlsFailureReason,
} from './metrics.ts';
export type { BackendErrorReason, TlsFailureReason } from './metrics.ts';
