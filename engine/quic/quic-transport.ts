/**
 * The QUIC transport of QUIC listeners: `@currentspace/http3`'s raw QUIC server (quiche, with
 * its native code inside the npm package), used without its own HTTP/3 layer — the engine's
 * http3/ speaks HTTP/3 on the streams it hands over.
 *
 * This file is the only one that touches the library. It is loaded lazily, on the first QUIC
 * listener, so an engine without QUIC listeners never loads native code; when it cannot load on
 * this platform `loadQuicTransport` says why and QUIC listeners report `Unavailable` with that
 * reason. The one internal it needs — opening the server's own unidirectional control stream
 * (stream 3), which the raw server's public API cannot do — is used here only, and
 * test/engine/quic/quic-transport.test.ts fails loudly if the library changes it.
 */
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';

/** QuicStreamLike is one QUIC stream as the engine uses it: a Duplex with its id. */
export interface QuicStreamLike extends Duplex {
  /** The QUIC stream id (client bidi 0, 4, …; client uni 2, 6, …; server uni 3, 7, …). */
  readonly id: number;
  /**
   * close ends the stream with an application error code: both directions are shut
   * (RESET_STREAM and STOP_SENDING carry `code`), and the Duplex is destroyed.
   */
  close(code?: number): void;
}

/** QuicSessionLike is one accepted QUIC connection. */
export interface QuicSessionLike {
  readonly remoteAddress: string;
  readonly remotePort: number;
  on(event: 'stream', listener: (stream: QuicStreamLike) => void): unknown;
  on(event: 'close', listener: (info: { errorCode: number; reason: string }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** close closes the connection (CONNECTION_CLOSE with an application error code). */
  close(errorCode?: number, reason?: string): void;
  /** ping sends a PING frame (its acknowledgement keeps both ends' idle timers alive). */
  ping(): boolean;
}

/** QuicServerLike is one UDP port served with one certificate. */
export interface QuicServerLike {
  listen(port: number, host?: string): Promise<{ address: string; family: string; port: number }>;
  address(): { address: string; family: string; port: number } | null;
  close(): Promise<void>;
  on(event: 'session', listener: (session: QuicSessionLike) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** QuicServerSettings are what the engine sets on a server (one certificate: the transport picks none by SNI). */
export interface QuicServerSettings {
  readonly key: string;
  readonly cert: string;
  /** The QUIC idle timeout (the listener's idleTimeout). */
  readonly maxIdleTimeoutMs: number;
  /** Concurrent request streams per connection (MAX_STREAMS bidi). */
  readonly maxConcurrentStreams: number;
}

/** QuicTransport creates servers. */
export interface QuicTransport {
  createServer(settings: QuicServerSettings): QuicServerLike;
  /** openControlStream opens the server's unidirectional stream 3 on a session (our control stream). */
  openControlStream(session: QuicSessionLike): QuicStreamLike;
}

/** QuicTransportLoad is the transport, or why it cannot be used on this platform. */
export type QuicTransportLoad = { readonly transport: QuicTransport } | { readonly unavailable: string };

/** The slice of the library's module the engine calls. */
interface Library {
  createQuicServer(options: Record<string, unknown>): QuicServerLike;
  QuicServerSession: { prototype: object };
}

/** SERVER_CONTROL_STREAM_ID is the first server-initiated unidirectional stream (RFC 9000 §2.1). */
export const SERVER_CONTROL_STREAM_ID = 3;

let loaded: QuicTransportLoad | undefined;

/** loadQuicTransport loads the library once per process; later calls return the same answer. */
export function loadQuicTransport(): QuicTransportLoad {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const library = require('@currentspace/http3') as Library;
    const reason = checkLibrary(library);
    loaded = reason === undefined ? { transport: transportOf(library) } : { unavailable: reason };
  } catch (err) {
    loaded = { unavailable: `the QUIC transport cannot load on this platform: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
  return loaded;
}

/** checkLibrary names what the engine needs that the loaded library lacks, or returns undefined. */
export function checkLibrary(library: Partial<Library>): string | undefined {
  if (typeof library.createQuicServer !== 'function') return 'the QUIC transport has no createQuicServer';
  const proto = library.QuicServerSession?.prototype as { _getOrCreateStream?: unknown } | undefined;
  if (proto === undefined || typeof proto._getOrCreateStream !== 'function') {
    return 'the QUIC transport can no longer open a server control stream (QuicServerSession._getOrCreateStream is gone)';
  }
  return undefined;
}

function transportOf(library: Library): QuicTransport {
  return {
    createServer(settings: QuicServerSettings): QuicServerLike {
      return library.createQuicServer({
        key: settings.key,
        cert: settings.cert,
        alpn: ['h3'],
        runtimeMode: 'auto',
        fallbackPolicy: 'warn-and-fallback',
        onRuntimeEvent: ignore,
        maxIdleTimeoutMs: settings.maxIdleTimeoutMs,
        initialMaxStreamsBidi: settings.maxConcurrentStreams,
        // Address validation costs clients a round trip; quiche's default leaves it off.
        disableRetry: true,
        disableActiveMigration: true,
        enableDatagrams: false,
      });
    },
    openControlStream(session: QuicSessionLike): QuicStreamLike {
      const internal = session as unknown as { _getOrCreateStream(id: number): QuicStreamLike };
      return internal._getOrCreateStream(SERVER_CONTROL_STREAM_ID);
    },
  };
}

function ignore(): void {}
