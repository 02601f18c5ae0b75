/**
 * useServerContext makes a TLS server start new connections with a context built elsewhere.
 * node:tls has no public way to hand a server a ready SecureContext: `setSecureContext(options)`
 * always builds a new one from PEM, which with a thousand listeners on one certificate means a
 * thousand identical contexts on every rotation. The server keeps the context it hands each
 * accepted connection in `_sharedCreds` (read per connection by node:tls since its first
 * release, also by node:http2's secure server); replacing that reference is what
 * `setSecureContext` itself ends with. The property is checked, so a Node.js that stops
 * keeping it fails loudly at the first HTTPS listener instead of serving a stale context.
 */
import type { SecureContext, Server as TlsServer } from 'node:tls';

/** useServerContext installs `context` as the context of every connection `server` accepts from now on. */
export function useServerContext(server: TlsServer, context: SecureContext): void {
  const holder = server as unknown as { _sharedCreds?: SecureContext };
  if (!Object.hasOwn(holder, '_sharedCreds')) {
    throw new Error(`node:tls ${process.version} does not keep a server's context in _sharedCreds; the engine cannot share secure contexts`);
  }
  holder._sharedCreds = context;
}
