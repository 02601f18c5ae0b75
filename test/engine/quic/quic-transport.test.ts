/**
 * The QUIC transport adapter (engine/quic/quic-transport.ts): it loads on this platform, and the
 * one internal of the library it relies on is still there — this test fails loudly when an
 * update of the library changes it, before any QUIC listener silently stops serving HTTP/3.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkLibrary, loadQuicTransport, SERVER_CONTROL_STREAM_ID } from '../../../engine/quic/quic-transport.ts';

const require = createRequire(import.meta.url);

describe('QUIC transport', () => {
  it('loads here, and loads once', () => {
    const first = loadQuicTransport();
    expect('transport' in first ? 'loaded' : first.unavailable).toBe('loaded');
    expect(loadQuicTransport()).toBe(first);
  });

  it('relies on QuicServerSession._getOrCreateStream to open the server control stream (stream 3)', () => {
    const library = require('@currentspace/http3') as { QuicServerSession: { prototype: Record<string, unknown> }; createQuicServer: unknown };
    expect(typeof library.createQuicServer).toBe('function');
    expect(typeof library.QuicServerSession.prototype['_getOrCreateStream']).toBe('function');
    expect(checkLibrary(library as never)).toBeUndefined();
    expect(SERVER_CONTROL_STREAM_ID).toBe(3);
  });

  it('reports a library without it as unusable, with the reason', () => {
    expect(checkLibrary({ createQuicServer: () => undefined, QuicServerSession: { prototype: {} } } as never)).toMatch(/_getOrCreateStream is gone/);
    expect(checkLibrary({})).toMatch(/no createQuicServer/);
  });
});
