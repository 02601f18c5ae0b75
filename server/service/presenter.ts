/**
 * Presenter: a stored body → the resource as the API returns it, adding what each kind
 * declares is computed at read time: the engine's status (`runtimeStatus`) and outputs derived
 * from the stored body and the clock (`readTimeFields`, e.g. a certificate's `expired`).
 */
import { isExpired } from '../../schema/certificate-inspect.ts';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { ReadTimeFieldName, ResourceKindName } from '../../schema/resource-kind.ts';
import type { RuntimeView } from './runtime-view.ts';

type Body = Readonly<Record<string, unknown>>;

/** READ_TIME_FIELDS computes each read-time output a kind may declare, from its stored body. */
const READ_TIME_FIELDS: { readonly [F in ReadTimeFieldName]: (body: Body, now: Date) => unknown } = {
  expired: (body, now) => (typeof body.notAfter === 'string' ? isExpired(body.notAfter, now) : false),
};

/** present renders a stored body for a read or a write response. */
export function present(kindName: ResourceKindName, body: Body, runtime: RuntimeView, now: Date): Record<string, unknown> {
  const kind = RESOURCE_KINDS[kindName];
  const out: Record<string, unknown> = kind.runtimeStatus ? { ...body, ...runtime.listenerStatus(String(body.id), Number(body.version)) } : { ...body };
  for (const field of kind.readTimeFields) out[field] = READ_TIME_FIELDS[field](body, now);
  return out;
}
