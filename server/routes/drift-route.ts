/**
 * `POST /v1/drift` (SPEC §3): compares a `pulumi stack export` with the live state, the very
 * comparison `gatehouse drift` makes (schema/pulumi-state/drift.ts), the live objects read here
 * as a GET of each would read them. It changes nothing; the console's drift page calls it.
 */
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { compareDrift, DriftInputError, stackResources, type DriftReport } from '../../schema/pulumi-state/drift.ts';
import type { ResourceService } from '../service/resource-service.ts';
import type { RouteHandler, RouteHandlers } from './register-routes.ts';
import { noQuery } from './request-options.ts';

/** driftRouteHandlers serve the drift comparison. */
export function driftRouteHandlers(service: ResourceService): Pick<RouteHandlers, 'drift'> {
  const drift: RouteHandler = async (request): Promise<DriftReport> => {
    noQuery(request.query as Record<string, unknown>);
    const exportJson: unknown = request.body;
    let resources;
    try {
      resources = stackResources(exportJson);
    } catch (e) {
      if (!(e instanceof DriftInputError)) throw e;
      throw new GatehouseError('VALIDATION_FAILED', e.message, [{ path: e.path, message: e.message }]);
    }
    const live = new Map<string, Record<string, unknown> | undefined>();
    const key = (kind: ResourceKind, id: string): string => `${kind.collection}/${id}`;
    for (const r of resources) {
      if (live.has(key(r.kind, r.id))) continue;
      try {
        live.set(key(r.kind, r.id), (await service.get(r.kind, r.id)).body);
      } catch (e) {
        if (e instanceof GatehouseError && e.code === 'NOT_FOUND') live.set(key(r.kind, r.id), undefined);
        else throw e;
      }
    }
    return compareDrift(exportJson, (kind, id) => live.get(key(kind, id)));
  };
  return { drift: () => drift };
}
