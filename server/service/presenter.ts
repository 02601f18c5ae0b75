/**
 * Presenter: a stored body → the resource as the API returns it, adding what is computed at
 * read time (a listener's status from the engine, a certificate's `expired`).
 */
import { isExpired } from '../../schema/certificate-inspect.ts';
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import type { RuntimeView } from './runtime-view.ts';

type Body = Readonly<Record<string, unknown>>;

/** LISTENER_KINDS are the kinds whose status comes from the engine. */
export const LISTENER_KINDS: ReadonlySet<ResourceKindName> = new Set(['Listener', 'QuicListener']);

/** present renders a stored body for a read or a write response. */
export function present(kind: ResourceKindName, body: Body, runtime: RuntimeView, now: Date): Record<string, unknown> {
  if (LISTENER_KINDS.has(kind)) {
    return { ...body, ...runtime.listenerStatus(String(body.id), Number(body.version)) };
  }
  if (kind === 'Certificate') {
    return { ...body, expired: typeof body.notAfter === 'string' ? isExpired(body.notAfter, now) : false };
  }
  return { ...body };
}
