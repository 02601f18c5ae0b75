/**
 * One engine worker: an Engine that binds its listeners with SO_REUSEPORT beside the node's
 * other workers, driven entirely by the supervisor's messages (protocol.ts). It runs no health
 * probes of its own (the supervisor's checks decide for the node), derives session-ticket keys
 * from the secret the supervisor rotates, tells the supervisor of Server-mode sticky values it
 * learns, and writes its access log to a pipe the supervisor merges whole lines from.
 *
 * It ignores SIGINT and SIGTERM — a terminal's Ctrl-C reaches every process of the group, and
 * the supervisor drains its workers itself — and it stops at once when the supervisor's channel
 * closes, so no worker outlives its node.
 */
import { Socket } from 'node:net';
import { Registry } from 'prom-client';
import { Engine, SharedTicketSecret } from '../../engine/index.ts';
import { AccessLogWriter, SERVER_FLUSH_DELAY_MS } from '../../engine/observability/index.ts';
import { ACCESS_LOG_FD, type SupervisorMessage, type WorkerMessage } from './protocol.ts';
import { DeltaDecoder } from './snapshot-delta.ts';

/** WorkerChannel is the slice of a forked process the worker talks through. */
export interface WorkerChannel {
  send(message: WorkerMessage): void;
  onMessage(handler: (message: SupervisorMessage) => void): void;
  onDisconnect(handler: () => void): void;
}

/** processChannel is the IPC channel of a process forked by the supervisor. */
export function processChannel(proc: NodeJS.Process): WorkerChannel {
  return {
    send: (message) => {
      if (proc.connected) proc.send!(message);
    },
    onMessage: (handler) => void proc.on('message', (m) => handler(m as SupervisorMessage)),
    onDisconnect: (handler) => void proc.on('disconnect', handler),
  };
}

/** runEngineWorker serves the supervisor until it says `close` or goes away, then exits. */
export function runEngineWorker(channel: WorkerChannel, exit: (code: number) => void = (code) => process.exit(code)): void {
  // The supervisor decides when this worker stops; a signal to the process group must not.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  const sink = new Socket({ fd: ACCESS_LOG_FD, readable: false, writable: true });
  const accessLog = new AccessLogWriter(sink, { flushDelayMs: SERVER_FLUSH_DELAY_MS });
  const registry = new Registry();
  const ticketSecret = new SharedTicketSecret();
  const snapshots = new DeltaDecoder();
  let engine: Engine | undefined;
  let closing: Promise<void> | undefined;

  const stop = (deadlineMs: number): Promise<void> => {
    closing ??= (async () => {
      try {
        await engine?.close(deadlineMs);
      } finally {
        await accessLog.close();
        await new Promise<void>((resolve) => sink.end(resolve));
        exit(0);
      }
    })();
    return closing;
  };

  channel.onDisconnect(() => void stop(0));
  channel.onMessage((message) => {
    switch (message.type) {
      case 'init': {
        ticketSecret.set(Buffer.from(message.ticketSecret));
        engine = new Engine({
          reusePort: true,
          externalHealth: true,
          ticketSecret,
          metricsRegistry: registry,
          accessLog: (record) => accessLog.write(record),
          onServerCookie: (cookie) => channel.send({ type: 'server-cookie', cookie }),
          ...(message.settings.drainTimeoutMs !== undefined ? { drainTimeoutMs: message.settings.drainTimeoutMs } : {}),
          ...(message.settings.headersTimeoutMs !== undefined ? { headersTimeoutMs: message.settings.headersTimeoutMs } : {}),
        });
        for (const r of message.health) engine.setServerHealth(r.groupId, r.address, r.port, r.state);
        channel.send({ type: 'ready' });
        return;
      }
      case 'quic-served':
        engine?.quicServedElsewhere(message.ports);
        return;
      case 'apply': {
        const seq = message.seq;
        if (engine === undefined) {
          channel.send({ type: 'apply-failed', seq, message: 'the worker was not initialised' });
          return;
        }
        let snapshot;
        try {
          snapshot = snapshots.decode(seq, message.snapshot);
        } catch (err) {
          channel.send({ type: 'apply-failed', seq, message: (err as Error).message });
          return;
        }
        engine.serveQuic(message.quic);
        engine.apply(snapshot).then(
          (result) => channel.send({ type: 'applied', seq, result }),
          (err: unknown) => channel.send({ type: 'apply-failed', seq, message: (err as Error).message }),
        );
        return;
      }
      case 'health':
        engine?.setServerHealth(message.report.groupId, message.report.address, message.report.port, message.report.state);
        return;
      case 'ticket-secret':
        ticketSecret.set(Buffer.from(message.secret));
        return;
      case 'server-cookie':
        engine?.rememberServerCookie(message.cookie);
        return;
      case 'server-cookies':
        for (const cookie of message.cookies) engine?.rememberServerCookie(cookie);
        return;
      case 'ping':
        channel.send({ type: 'pong', seq: message.seq });
        return;
      case 'metrics': {
        const seq = message.seq;
        registry.getMetricsAsJSON().then(
          (metrics) => channel.send({ type: 'metrics', seq, metrics }),
          () => channel.send({ type: 'metrics', seq, metrics: [] }),
        );
        return;
      }
      case 'close':
        void stop(message.deadlineMs);
        return;
    }
  });
}
